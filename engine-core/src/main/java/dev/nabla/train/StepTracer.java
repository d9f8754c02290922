package dev.nabla.train;

import dev.nabla.model.Layer;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies of every intermediate value of one traced step, per layer, as {@link ForwardBackward}
 * computes them; becomes the {@link LayerTrace}s of a {@link StepTrace}.
 */
final class StepTracer {
    final double[][] preActivation;
    final double[][] activation;
    final double[][] outputGradient;
    final double[][] delta;
    final double[][] weightGradient;
    final double[][] biasGradient;

    StepTracer(int depth) {
        preActivation = new double[depth][];
        activation = new double[depth][];
        outputGradient = new double[depth][];
        delta = new double[depth][];
        weightGradient = new double[depth][];
        biasGradient = new double[depth][];
    }

    /** The traces of a step on {@code rows} samples through {@code net}'s layers, first layer first. */
    List<LayerTrace> layers(DeviceNetwork net, int rows) {
        List<LayerTrace> traces = new ArrayList<>();
        for (int l = 0; l < net.depth(); l++) {
            Layer spec = net.layer(l).spec;
            traces.add(new LayerTrace(
                    rows,
                    spec.inputs(),
                    spec.outputs(),
                    preActivation[l],
                    activation[l],
                    outputGradient[l],
                    delta[l],
                    weightGradient[l],
                    biasGradient[l]));
        }
        return traces;
    }
}

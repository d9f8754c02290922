package dev.nabla.model;

import dev.nabla.InputException;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Optimizer;
import dev.nabla.data.InputScaling;
import dev.nabla.data.Samples;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A fully connected network: a loss and a chain of layers, each layer's inputs the previous
 * layer's outputs, the output layer's activation one that fits the loss ({@link Loss#requireOutput});
 * and, where its model file names one, the optimizer it is meant to train with. Immutable.
 *
 * <p>A network may hold an {@link InputScaling} ({@link #withInputScaling}): the standardization
 * of its raw inputs before the first layer, fitted on the training samples ({@code train
 * --standardize}) and kept in model files and checkpoints, so that a saved model takes raw inputs.
 * The {@link dev.nabla.train.Trainer} computes with the layers alone, on the inputs it is given:
 * pass it {@link #standardized}{@code (samples)}, or rows put through
 * {@link InputScaling#applyInPlace}, never the raw ones.
 */
public final class Network {
    private final Loss loss;
    private final List<Layer> layers;
    /** The inputs' standardization, or null when the layers take the raw inputs. */
    private final InputScaling scaling;
    /** The optimizer the model file names, or null. */
    private final Optimizer optimizer;

    /** A network of {@code loss} that takes its inputs raw and names no optimizer. */
    public Network(Loss loss, List<Layer> layers) {
        this(loss, layers, null, null);
    }

    /** A network whose raw inputs are standardized by {@code scaling} (null: none), of its input width. */
    public Network(Loss loss, List<Layer> layers, InputScaling scaling) {
        this(loss, layers, scaling, null);
    }

    /**
     * A network whose raw inputs are standardized by {@code scaling} (null: none), whose model
     * names {@code optimizer} (null: none) as the one to train it with.
     */
    public Network(Loss loss, List<Layer> layers, InputScaling scaling, Optimizer optimizer) {
        this.loss = Objects.requireNonNull(loss, "loss");
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        for (int l = 1; l < layers.size(); l++) {
            if (layers.get(l).inputs() != layers.get(l - 1).outputs()) {
                throw new IllegalArgumentException(
                        "layer " + (l + 1) + " has " + layers.get(l).inputs() + " inputs, but layer " + l + " has "
                                + layers.get(l - 1).outputs() + " outputs");
            }
        }
        for (int l = 0; l + 1 < layers.size(); l++) {
            if (!layers.get(l).activation().elementwise()) {
                throw new InputException(
                        "layer " + (l + 1) + " is " + layers.get(l).activation().id()
                                + ": only the output layer may be, with the loss " + Loss.SOFTMAX_CROSS_ENTROPY.id());
            }
        }
        loss.requireOutput(layers.get(layers.size() - 1).activation());
        this.layers = List.copyOf(layers);
        if (scaling != null && scaling.width() != layers.get(0).inputs()) {
            throw new IllegalArgumentException("a standardization of " + scaling.width() + " inputs for a network of "
                    + layers.get(0).inputs());
        }
        this.scaling = scaling;
        this.optimizer = optimizer;
    }

    /** This network with its raw inputs standardized by {@code s} (null: taking them raw). */
    public Network withInputScaling(InputScaling s) {
        return new Network(loss, layers, s, optimizer);
    }

    /** The same network with other layers of the same shapes (parameters read back from a backend). */
    public Network withLayers(List<Layer> newLayers) {
        return new Network(loss, newLayers, scaling, optimizer);
    }

    /** The same network naming {@code newOptimizer} ({@code null} for none) as the one to train it with. */
    public Network withOptimizer(Optimizer newOptimizer) {
        return new Network(loss, layers, scaling, newOptimizer);
    }

    /** The optimizer the model file names to train with, or {@code null} where it names none. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The standardization of the raw inputs, or null when the first layer takes them raw. */
    public InputScaling inputScaling() {
        return scaling;
    }

    /**
     * Raw samples as the layers take them: standardized as they are copied when this network
     * holds an {@link InputScaling}, else {@code samples} itself.
     */
    public Samples standardized(Samples samples) {
        return scaling == null ? samples : scaling.apply(samples);
    }

    /** The loss it trains against. */
    public Loss loss() {
        return loss;
    }

    /** Its layers, first (nearest the inputs) first; the list cannot be changed. */
    public List<Layer> layers() {
        return layers;
    }

    /** Layer {@code index}, from 0 for the first. */
    public Layer layer(int index) {
        return layers.get(index);
    }

    /** The number of layers. */
    public int depth() {
        return layers.size();
    }

    /** The width of the first layer's input. */
    public int inputs() {
        return layers.get(0).inputs();
    }

    /** The width of the last layer's output. */
    public int outputs() {
        return layers.get(layers.size() - 1).outputs();
    }

    /** The inputs, then each layer's outputs: {@code depth() + 1} numbers. */
    public int[] widths() {
        int[] w = new int[depth() + 1];
        w[0] = inputs();
        for (int l = 0; l < depth(); l++) {
            w[l + 1] = layer(l).outputs();
        }
        return w;
    }

    /** The weights and biases of all its layers. */
    public long parameterCount() {
        return layers.stream().mapToLong(Layer::parameterCount).sum();
    }

    /** {@code "2-2 sigmoid-2 sigmoid, 6 parameters"}: widths with each layer's activation. */
    public String describe() {
        StringBuilder sb = new StringBuilder().append(inputs());
        for (Layer layer : layers) {
            sb.append('-')
                    .append(layer.outputs())
                    .append(' ')
                    .append(layer.activation().id());
            if (layer.hasBias()) {
                sb.append("+bias");
            }
        }
        return sb.append(", ")
                .append(parameterCount())
                .append(" parameters, loss ")
                .append(loss.id())
                .append(scaling == null ? "" : ", inputs standardized")
                .toString();
    }

    /**
     * Glorot (Xavier) uniform weights for an {@code inputs x outputs} layer: each weight drawn
     * uniformly from {@code [-r, r)} with {@code r = sqrt(6 / (inputs + outputs))}.
     */
    public static double[] glorotUniform(int inputs, int outputs, SplittableRandom rng) {
        double r = Math.sqrt(6.0 / (inputs + outputs));
        double[] w = new double[Math.multiplyExact(inputs, outputs)];
        for (int k = 0; k < w.length; k++) {
            w[k] = rng.nextDouble(-r, r);
        }
        return w;
    }

    /**
     * The random stream for layer {@code index} of a network initialized from {@code seed}. Each
     * layer has its own stream, so one layer's weights do not depend on whether another layer's
     * were given or drawn.
     */
    public static SplittableRandom layerRandom(long seed, int index) {
        SplittableRandom master = new SplittableRandom(seed);
        SplittableRandom rng = master.split();
        for (int l = 0; l < index; l++) {
            rng = master.split();
        }
        return rng;
    }

    /** A builder of a network of {@code inputs} inputs, to which {@link Builder#dense} adds layers. */
    public static Builder builder(int inputs) {
        return new Builder(inputs);
    }

    /** Builds a network layer by layer, weights drawn by {@link #glorotUniform} from a seed and biases zero. */
    public static final class Builder {
        private final int inputs;
        private final List<int[]> widths = new ArrayList<>();
        private final List<Activation> activations = new ArrayList<>();
        private final List<Boolean> biases = new ArrayList<>();
        private Loss loss = Loss.MSE;

        private Builder(int inputs) {
            this.inputs = inputs;
        }

        /** Appends a layer with {@code outputs} units. */
        public Builder dense(int outputs, Activation activation, boolean bias) {
            int in = widths.isEmpty() ? inputs : widths.get(widths.size() - 1)[1];
            widths.add(new int[] {in, outputs});
            activations.add(activation);
            biases.add(bias);
            return this;
        }

        /** The loss of the network built ({@link Loss#MSE} unless set). */
        public Builder loss(Loss l) {
            this.loss = l;
            return this;
        }

        /** The network, each layer's weights drawn from {@code seed} and the layer's index, its biases zero. */
        public Network build(long seed) {
            List<Layer> layers = new ArrayList<>();
            for (int l = 0; l < widths.size(); l++) {
                int in = widths.get(l)[0];
                int out = widths.get(l)[1];
                double[] w = glorotUniform(in, out, layerRandom(seed, l));
                layers.add(new Layer(in, out, activations.get(l), w, biases.get(l) ? new double[out] : null));
            }
            return new Network(loss, layers);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network n
                && loss == n.loss
                && layers.equals(n.layers)
                && Objects.equals(scaling, n.scaling)
                && Objects.equals(optimizer, n.optimizer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(loss, layers, scaling, optimizer);
    }

    @Override
    public String toString() {
        return describe();
    }
}

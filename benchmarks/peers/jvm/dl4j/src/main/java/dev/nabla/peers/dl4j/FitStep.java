package dev.nabla.peers.dl4j;

import dev.nabla.peers.Inputs;
import dev.nabla.peers.Step;
import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The step as a DL4J user writes it: a {@code MultiLayerNetwork} of bias-free sigmoid {@code
 * DenseLayer}s and an MSE {@code OutputLayer}, the {@code Sgd} updater, one {@code fit(DataSet)} a
 * step.
 *
 * <p>DL4J's MSE is {@code (t - o)^2} averaged over the outputs, without a 1/2, then over the batch:
 * its gradient is {@code 2 / outputs} times Nabla's, so the updater's learning rate is Nabla's times
 * {@code outputs / 2}, which makes the update the same; its score times {@code outputs / 2} is
 * Nabla's loss.
 */
final class FitStep implements Step {
    private final Inputs in;
    private final boolean fp64;
    private final MultiLayerNetwork net;
    private final DataSet batch;
    private final double toNablaLoss;

    FitStep(Inputs in, boolean fp64, double lr) {
        this.in = in;
        this.fp64 = fp64;
        int outputs = in.t.cols();
        toNablaLoss = outputs / 2.0;
        List<Inputs.Matrix> ws = in.weights;
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .dataType(Arrays.type(fp64))
                .updater(new Sgd(lr * outputs / 2.0))
                .list();
        for (int l = 0; l < ws.size(); l++) {
            Inputs.Matrix w = ws.get(l);
            if (l + 1 < ws.size()) {
                layers.layer(new DenseLayer.Builder()
                        .nIn(w.cols())
                        .nOut(w.rows())
                        .activation(Activation.SIGMOID)
                        .hasBias(false)
                        .build());
            } else {
                layers.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                        .nIn(w.cols())
                        .nOut(w.rows())
                        .activation(Activation.SIGMOID)
                        .hasBias(false)
                        .build());
            }
        }
        net = new MultiLayerNetwork(layers.build());
        net.init();
        batch = new DataSet(Arrays.of(in.x, fp64), Arrays.of(in.t, fp64));
        reset();
    }

    /**
     * One {@code fit}, and the loss of the weights it started from, from the network's own output on
     * them, summed in double precision: DL4J sums its fp32 score in single precision, which over
     * {@code wide}'s 4 million terms is 1e-3 off, ten times the check's tolerance.
     */
    @Override
    public double step() {
        double loss =
                fp64 ? Double.NaN : Losses.nabla(net.output(batch.getFeatures()).sub(batch.getLabels()), in.batch());
        net.fit(batch);
        return fp64 ? net.score() * toNablaLoss : loss; // the score of the forward pass this fit's update came from
    }

    /** Timed: {@code fit} alone, as a training loop calls it. */
    @Override
    public void run(int n) {
        for (int i = 0; i < n; i++) {
            net.fit(batch);
        }
    }

    @Override
    public void reset() {
        for (int l = 0; l < in.weights.size(); l++) {
            // DL4J keeps a layer's weights as inputs x outputs: Nabla's transposed
            INDArray w = Arrays.of(in.weights.get(l), fp64).transpose();
            net.getLayer(l).getParam(DefaultParamInitializer.WEIGHT_KEY).assign(w);
        }
    }
}

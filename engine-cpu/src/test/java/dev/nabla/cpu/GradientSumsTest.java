package dev.nabla.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.data.Dataset;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import dev.nabla.model.OptimizerState;
import dev.nabla.numerics.Tolerance;
import dev.nabla.train.ShuffledOrders;
import dev.nabla.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A batch cut into parts, each part's {@link Trainer#gradientSums} computed by its own trainer
 * holding the step's weights, the sums added in part order and applied by a third trainer with
 * {@link Trainer#applyGradients}: the same steps as {@link Trainer#step} on the whole batch.
 */
class GradientSumsTest {
    private static final int SAMPLES = 20;
    private static final int BATCH = 7;
    private static final int STEPS = 12;
    /** The parts' gradients are added in another order than one batch's matrix products add them: reordered roundings only. */
    private static final double TOLERANCE = Tolerance.FP64_OPTIMIZED.absolute();

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        Optimizer[] optimizers = {
            Optimizer.SGD,
            Optimizer.sgd(0.9, false, 0.01),
            Optimizer.adam(0.9, 0.999, 1e-8, 0),
            Optimizer.adamw(0.9, 0.999, 1e-8, 0.01)
        };
        for (Optimizer o : optimizers) {
            for (Loss loss : Loss.values()) {
                for (boolean bias : new boolean[] {true, false}) {
                    for (boolean shuffle : new boolean[] {false, true}) {
                        all.add(Arguments.of(o, network(loss, 2, bias), shuffle));
                        all.add(Arguments.of(o, network(loss, 3, bias), shuffle));
                    }
                }
            }
        }
        return all.stream();
    }

    /** Depth 2 is 5-6-3, which the CPU backend fuses for the mean squared error; depth 3 is 5-12-6-3, which it does not. */
    static Network network(Loss loss, int depth, boolean bias) {
        Activation out = loss.classification() ? loss.logitLoss().output() : Activation.SIGMOID;
        Network.Builder b = Network.builder(5);
        for (int l = 0; l < depth - 1; l++) {
            b.dense(l == 0 && depth > 2 ? 12 : 6, l % 2 == 0 ? Activation.TANH : Activation.RELU, bias);
        }
        return b.dense(3, out, bias).loss(loss).build(depth * 10L + (bias ? 1 : 0));
    }

    static Dataset data(Loss loss) {
        double[][][] d = OptimizerTrainingTest.data(loss, 3, 11);
        return new Dataset("parts", SAMPLES, 5, 3, OptimizerTrainingTest.flat(d[0]), OptimizerTrainingTest.flat(d[1]));
    }

    @ParameterizedTest(name = "{0}, {1}, shuffle {2}")
    @MethodSource("cases")
    void partsSummedInOrderTakeTheWholeBatchsSteps(Optimizer optimizer, Network net, boolean shuffle) {
        Dataset data = data(net.loss());
        int[] cuts = {0, 2, 3, 7}; // three parts of one batch of 7: 2, 1 and 4 samples
        try (Backend be = Backends.select("cpu", Precision.FP64).backend();
                Trainer whole = new Trainer(be, net, SAMPLES, optimizer);
                Trainer driver = new Trainer(be, net, 1, optimizer);
                Trainer partA = new Trainer(be, net, 3, optimizer); // 3 < 4: the last part is two micro-batches
                Trainer partB = new Trainer(be, net, SAMPLES, optimizer)) {
            int p = driver.parameterCount();
            assertEquals(net.parameterCount(), p);
            double[] weights = new double[p];
            double[] part = new double[p];
            double[] sum = new double[p];
            ShuffledOrders orders = new ShuffledOrders(SAMPLES, 5);
            for (int k = 0; k < STEPS; k++) {
                int first = k * BATCH % (SAMPLES - BATCH);
                int[] order = shuffle ? orders.epoch(1 + k / 3) : null;
                double lr = 0.05;
                double expected = whole.step(data, order, first, BATCH, lr);
                long expectedCorrect = whole.lastCorrect();

                driver.parameters(weights);
                Arrays.fill(sum, 0.0);
                double loss = 0;
                long correct = 0;
                for (int c = 0; c + 1 < cuts.length; c++) {
                    Trainer t = c % 2 == 0 ? partA : partB;
                    t.loadParameters(weights);
                    loss += t.gradientSums(data, order, first + cuts[c], cuts[c + 1] - cuts[c], BATCH, part);
                    correct += Math.max(0, t.lastCorrect());
                    for (int i = 0; i < p; i++) {
                        sum[i] += part[i];
                    }
                }
                driver.applyGradients(sum, lr);
                assertEquals(expected, loss, TOLERANCE * Math.max(1, Math.abs(expected)), "loss of step " + (k + 1));
                assertEquals(Math.max(0, expectedCorrect), correct, "samples classified right in step " + (k + 1));
            }
            double[] expectedWeights = new double[p];
            whole.parameters(expectedWeights);
            driver.parameters(weights);
            assertArrayEquals(expectedWeights, weights, TOLERANCE, "parameters after " + STEPS + " steps");
            OptimizerState a = whole.optimizerState();
            OptimizerState b = driver.optimizerState();
            assertEquals(STEPS, b.steps());
            for (int t = 0; t < a.tensors().size(); t++) {
                assertArrayEquals(a.tensors().get(t), b.tensors().get(t), TOLERANCE, "optimizer state tensor " + t);
            }
        }
    }

    @Test
    void parametersRoundTripInLayerOrder() {
        Network net = network(Loss.MSE, 3, true);
        try (Backend be = Backends.select("cpu", Precision.FP64).backend();
                Trainer t = new Trainer(be, net, 4)) {
            double[] flat = new double[t.parameterCount()];
            t.parameters(flat);
            // Layer 0's weights come first, then its bias, then layer 1's.
            assertEquals(net.layer(0).weight(1, 2), flat[1 * 5 + 2]);
            assertEquals(net.layer(0).bias()[3], flat[12 * 5 + 3]);
            assertEquals(net.layer(1).weight(2, 0), flat[12 * 5 + 12 + 2 * 12]);
            flat[12 * 5 + 3] = 0.25;
            t.loadParameters(flat);
            assertEquals(0.25, t.network().layer(0).bias()[3]);
            assertThrows(IllegalArgumentException.class, () -> t.loadParameters(new double[3]));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> t.gradientSums(data(Loss.MSE), null, 0, 5, 4, new double[flat.length]));
        }
    }
}

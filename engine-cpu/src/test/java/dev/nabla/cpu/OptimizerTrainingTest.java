package dev.nabla.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.ReferenceTraining;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import dev.nabla.numerics.Tolerance;
import dev.nabla.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer, over 50 steps, against {@link ReferenceTraining}: an independent trainer whose
 * update rules are typed in from PyTorch's documentation; on networks of depth 2 to 4, with and
 * without bias, for each loss.
 */
class OptimizerTrainingTest {
    private static final int SAMPLES = 20;
    private static final int BATCH = 7;
    private static final int STEPS = 50;
    /** The engine sums each batch with matrix products, the reference sample by sample: reordered roundings only. */
    private static final double TOLERANCE = Tolerance.FP64_OPTIMIZED.absolute();

    record Case(String name, Optimizer optimizer, ReferenceTraining.Rule rule, double lr) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static List<Case> optimizers() {
        List<Case> c = new ArrayList<>();
        c.add(sgd("sgd", 0, false, 0));
        c.add(sgd("sgd momentum 0.9", 0.9, false, 0));
        c.add(sgd("sgd nesterov 0.8", 0.8, true, 0));
        c.add(sgd("sgd weight decay 0.05", 0, false, 0.05));
        c.add(sgd("sgd momentum 0.5, weight decay 0.01", 0.5, false, 0.01));
        c.add(adam("adam", "adam", 0.9, 0.999, 1e-8, 0));
        c.add(adam("adam beta 0.8 0.95, eps 1e-6, weight decay 0.1", "adam", 0.8, 0.95, 1e-6, 0.1));
        c.add(adam("adamw", "adamw", 0.9, 0.999, 1e-8, 0.01));
        c.add(adam("adamw weight decay 0.3", "adamw", 0.85, 0.99, 1e-8, 0.3));
        return c;
    }

    private static Case sgd(String name, double momentum, boolean nesterov, double decay) {
        return new Case(
                name,
                Optimizer.sgd(momentum, nesterov, decay),
                new ReferenceTraining.Rule("sgd", momentum, nesterov, 0, 0, 0, decay),
                0.3);
    }

    private static Case adam(String name, String kind, double beta1, double beta2, double eps, double decay) {
        Optimizer o = kind.equals("adam")
                ? Optimizer.adam(beta1, beta2, eps, decay)
                : Optimizer.adamw(beta1, beta2, eps, decay);
        return new Case(name, o, new ReferenceTraining.Rule(kind, 0, false, beta1, beta2, eps, decay), 0.02);
    }

    /** Networks of depth 2, 3 and 4, with and without bias, ending in each loss's output. */
    private static List<Network> networks() {
        List<Network> nets = new ArrayList<>();
        Activation[] hidden = {Activation.TANH, Activation.SIGMOID, Activation.RELU};
        for (Loss loss : Loss.values()) {
            Activation out = loss.classification() ? loss.logitLoss().output() : Activation.SIGMOID;
            for (int depth = 2; depth <= 4; depth++) {
                for (boolean bias : new boolean[] {true, false}) {
                    Network.Builder b = Network.builder(5);
                    for (int l = 0; l < depth - 1; l++) {
                        b.dense(6 - l, hidden[l % hidden.length], bias);
                    }
                    nets.add(b.dense(3, out, bias).loss(loss).build(depth * 10L + (bias ? 1 : 0)));
                }
            }
        }
        return nets;
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Case c : optimizers()) {
            for (Network n : networks()) {
                all.add(Arguments.of(c, n));
            }
        }
        return all.stream();
    }

    /** Inputs in [-1, 1); targets fitting the loss: values in [0, 1], one-hot classes, or 0/1 labels. */
    static double[][][] data(Loss loss, int outputs, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] x = new double[SAMPLES][5];
        double[][] t = new double[SAMPLES][outputs];
        for (int s = 0; s < SAMPLES; s++) {
            for (int i = 0; i < 5; i++) {
                x[s][i] = rng.nextDouble(-1, 1);
            }
            int cls = rng.nextInt(outputs);
            for (int k = 0; k < outputs; k++) {
                t[s][k] = switch (loss) {
                    case MSE -> rng.nextDouble();
                    case SOFTMAX_CROSS_ENTROPY -> k == cls ? 1 : 0;
                    case BINARY_CROSS_ENTROPY -> rng.nextBoolean() ? 1 : 0;
                };
            }
        }
        return new double[][][] {x, t};
    }

    static double[] flat(double[][] rows) {
        double[] out = new double[rows.length * rows[0].length];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, out, r * rows[0].length, rows[0].length);
        }
        return out;
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void fiftyStepsMatchTheDocumentedRules(Case c, Network net) {
        double[][][] d = data(net.loss(), net.outputs(), 7);
        double[] x = flat(d[0]);
        double[] t = flat(d[1]);
        ReferenceTraining ref = new ReferenceTraining(net, c.rule());
        try (Backend be = Backends.select("cpu", Precision.FP64).backend();
                Trainer tr = new Trainer(be, net, SAMPLES, c.optimizer())) {
            for (int k = 0; k < STEPS; k++) {
                int first = k * BATCH % (SAMPLES - BATCH);
                double[][] xs = Arrays.copyOfRange(d[0], first, first + BATCH);
                double[][] ts = Arrays.copyOfRange(d[1], first, first + BATCH);
                double expected = ref.step(xs, ts, c.lr());
                double loss = tr.step(x, t, first, BATCH, c.lr());
                assertEquals(expected, loss, TOLERANCE * Math.max(1, Math.abs(expected)), "loss of step " + (k + 1));
            }
            Network trained = tr.network();
            for (int l = 0; l < net.depth(); l++) {
                assertArrayEquals(ref.weights(l), trained.layer(l).weights(), TOLERANCE, "weights of layer " + l);
                if (net.layer(l).hasBias()) {
                    assertArrayEquals(ref.bias(l), trained.layer(l).bias(), TOLERANCE, "bias of layer " + l);
                } else {
                    assertNull(trained.layer(l).bias());
                }
            }
            assertEquals(STEPS, tr.optimizerState().steps());
        }
    }
}

package dev.nabla.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Recording;
import dev.nabla.numerics.Tolerance;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Backend#optimizerUpdate} for every rule against a straightforward implementation of
 * PyTorch's documented updates (the {@code torch.optim} pages, as {@link Optimizer} quotes them),
 * over several steps whose scalars are uploaded between steps, on odd shapes in both precisions;
 * and the arguments the new operations refuse.
 */
public abstract class OptimizerConformance extends ClassificationConformance {
    private static final int STEPS = 5;

    /** The rules under test, by name. */
    static Object[][] rules() {
        return new Object[][] {
            {"sgd", Optimizer.SGD},
            {"sgd momentum", Optimizer.sgd(0.9, false, 0.0)},
            {"sgd nesterov", Optimizer.sgd(0.9, true, 0.0)},
            {"sgd weight decay", Optimizer.sgd(0.0, false, 0.01)},
            {"sgd nesterov weight decay", Optimizer.sgd(0.8, true, 0.05)},
            {"adam", Optimizer.adam(0.9, 0.999, 1e-8, 0.0)},
            {"adam weight decay", Optimizer.adam(0.9, 0.999, 1e-8, 0.01)},
            {"adamw", Optimizer.adamw(0.9, 0.999, 1e-8, 0.01)},
            {"adamw beta1 0", Optimizer.adamw(0.0, 0.9, 1e-3, 0.1)},
        };
    }

    static Stream<Arguments> optimizerCases() {
        int[][] shapes = {{1, 1}, {1, 17}, {3, 1}, {17, 3}, {1000, 3}, {1000, 17}, {257, 255}};
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            for (Object[] rule : rules()) {
                for (int[] s : shapes) {
                    b.add(Arguments.of(p, rule[0], rule[1], s[0], s[1]));
                }
            }
        }
        return b.build();
    }

    /**
     * PyTorch's update rules, element by element, written from its documentation independently of
     * the backend's code: SGD's buffer is the gradient itself on the first step, and the bias
     * corrections are taken with {@link Math#pow} here.
     */
    static final class ReferenceOptimizer {
        final Optimizer rule;
        final double[] param;
        final double[] first;
        final double[] second;
        int step;

        ReferenceOptimizer(Optimizer rule, double[] param) {
            this.rule = rule;
            this.param = param.clone();
            this.first = new double[param.length];
            this.second = new double[param.length];
        }

        void update(double[] grad, double lr) {
            step++;
            double wd = rule.weightDecay();
            for (int i = 0; i < param.length; i++) {
                double g = grad[i];
                if (rule.kind() == Optimizer.Kind.SGD) {
                    g += wd * param[i];
                    if (rule.momentum() > 0) {
                        first[i] = step == 1 ? g : rule.momentum() * first[i] + g;
                        g = rule.nesterov() ? g + rule.momentum() * first[i] : first[i];
                    }
                    param[i] -= lr * g;
                    continue;
                }
                if (rule.kind() == Optimizer.Kind.ADAM) {
                    g += wd * param[i];
                } else {
                    param[i] -= lr * wd * param[i];
                }
                first[i] = rule.beta1() * first[i] + (1 - rule.beta1()) * g;
                second[i] = rule.beta2() * second[i] + (1 - rule.beta2()) * g * g;
                double mHat = first[i] / (1 - Math.pow(rule.beta1(), step));
                double vHat = second[i] / (1 - Math.pow(rule.beta2(), step));
                param[i] -= lr * mHat / (Math.sqrt(vHat) + rule.eps());
            }
        }
    }

    // FP64: the same operations as the reference, perhaps grouped otherwise (lr * m-hat, the
    // corrections from stepScalars): Tolerance.FP64_REORDERED, 1e-12 relative. FP32: the parameter
    // and states rounded to floats after each step, and the scalars stored as floats: Tolerance.FP32.
    @ParameterizedTest(name = "{0} {1} {3}x{4}")
    @MethodSource("optimizerCases")
    void optimizerUpdateMatchesPyTorchsRules(Precision p, String name, Optimizer rule, int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(rows * 59L + cols + name.hashCode());
        int n = rows * cols;
        double[] w = stored(p, random(rng, n, -1, 1));
        ReferenceOptimizer ref = new ReferenceOptimizer(rule, w);
        Tolerance tol = Tolerance.reference(p);
        String what = name + " " + p + " " + rows + "x" + cols;
        try (Backend be = open(p)) {
            Matrix param = put(be, rows, cols, w);
            Matrix grad = be.allocate(rows, cols);
            Matrix first = rule.states() >= 1 ? put(be, rows, cols, new double[n]) : null;
            Matrix second = rule.states() >= 2 ? put(be, rows, cols, new double[n]) : null;
            Matrix scalars = be.allocate(1, Optimizer.STEP_SCALARS);
            double[] host = new double[Optimizer.STEP_SCALARS];
            for (int t = 1; t <= STEPS; t++) {
                double lr = 0.01 * (1 + t % 3); // a schedule: each step's rate is uploaded before it
                double[] g = stored(p, random(rng, n, -1, 1));
                rule.stepScalars(lr, t, host);
                be.upload(host, 0, scalars);
                be.upload(g, 0, grad);
                be.optimizerUpdate(rule, scalars, grad, param, first, second);
                ref.update(g, lr);
                Compare.close(what + " parameter after step " + t, ref.param, be.download(param), tol);
                if (first != null) {
                    Compare.close(what + " first state after step " + t, ref.first, be.download(first), tol);
                }
                if (second != null) {
                    Compare.close(what + " second state after step " + t, ref.second, be.download(second), tol);
                }
                assertArrayEquals(g, be.download(grad), 0.0, what + " gradient is not changed");
            }
        }
    }

    // A recorded update reads its scalars when it is replayed: the second step takes the rate
    // uploaded after the recording. SGD on exactly representable values: exact in either precision.
    @Test
    void aReplayedUpdateReadsTheScalarsUploadedSince() {
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            try (Backend be = open(p)) {
                Matrix param = put(be, 1, 3, new double[] {1, 2, 3});
                Matrix grad = put(be, 1, 3, new double[] {1, -2, 4});
                Matrix scalars = put(be, 1, 3, new double[] {1, 0, 0});
                Runnable body = () -> be.optimizerUpdate(Optimizer.SGD, scalars, grad, param, null, null);
                body.run(); // lr 1: 0, 4, -1
                try (Recording step = be.record(body)) {
                    be.upload(new double[] {0.5, 0, 0}, 0, scalars);
                    step.replay(); // lr 0.5: -0.5, 5, -3
                    assertArrayEquals(new double[] {-0.5, 5, -3}, be.download(param), 0.0, p + " replayed update");
                }
            }
        }
    }

    @Test
    void theNewOperationsRefuseBadArguments() {
        try (Backend be = open(Precision.FP64)) {
            Matrix a = be.allocate(3, 2);
            Matrix b = be.allocate(3, 2);
            Matrix c = be.allocate(3, 2);
            Matrix scalars = be.allocate(1, 3);
            Optimizer momentum = Optimizer.sgd(0.9, false, 0.0);
            Optimizer adam = Optimizer.adam(0.9, 0.999, 1e-8, 0.0);
            refused("1x3", () -> be.optimizerUpdate(Optimizer.SGD, be.allocate(1, 2), a, b, null, null));
            refused("1x3", () -> be.optimizerUpdate(Optimizer.SGD, be.allocate(3, 1), a, b, null, null));
            refused("first is given", () -> be.optimizerUpdate(Optimizer.SGD, scalars, a, b, c, null));
            refused("second is given", () -> be.optimizerUpdate(momentum, scalars, a, b, c, be.allocate(3, 2)));
            NullPointerException missing = assertThrows(
                    NullPointerException.class, () -> be.optimizerUpdate(momentum, scalars, a, b, null, null));
            assertTrue(String.valueOf(missing.getMessage()).contains("first"), missing.getMessage());
            missing = assertThrows(NullPointerException.class, () -> be.optimizerUpdate(adam, scalars, a, b, c, null));
            assertTrue(String.valueOf(missing.getMessage()).contains("second"), missing.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> be.optimizerUpdate(adam, scalars, a, b, c, be.allocate(2, 3))); // a state of another shape
            assertThrows(
                    IllegalArgumentException.class,
                    () -> be.optimizerUpdate(Optimizer.SGD, scalars, a, be.allocate(2, 3), null, null));

            LogitLoss ce = LogitLoss.SOFTMAX_CROSS_ENTROPY;
            refused("1x2", () -> be.logitLoss(ce, a, b, 3, c, 0.0, be.allocate(1, 1)));
            refused("1x2", () -> be.logitLoss(ce, a, b, 3, c, 0.0, be.allocate(2, 1)));
            refused("delta must not be z", () -> be.logitLoss(ce, a, b, 3, a, 0.0, be.allocate(1, 2)));
            refused("count", () -> be.logitLoss(ce, a, b, 0, c, 0.0, be.allocate(1, 2)));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> be.logitLoss(ce, a, be.allocate(2, 3), 3, c, 0.0, be.allocate(1, 2)));
            assertThrows(
                    IllegalArgumentException.class, () -> be.logitLoss(ce, a, b, 3, c, Double.NaN, be.allocate(1, 2)));

            refused("no backward pass of its own", () -> be.activationBackward(Activation.SOFTMAX, a, b, c));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> be.activationForward(Activation.SOFTMAX, a, be.allocate(2, 3)));
        }
    }

    /** {@code call} throws an {@link IllegalArgumentException} whose message says {@code why}. */
    private static void refused(String why, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(why), "'" + e.getMessage() + "' does not say " + why);
    }
}

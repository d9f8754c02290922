package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.Compare;
import dev.nabla.conformance.OperationConformance;
import dev.nabla.numerics.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CUDA backend's softmax, fused classification losses and optimizer updates against the CPU
 * backend on the same inputs: odd shapes (1, 3, 17, 1000, and more rows than the loss kernel's
 * grid has warps), logits of +-1000 and ties, micro-batches added up, and five optimizer steps
 * with new learning rates and bias corrections each. Every comparison prints its largest
 * difference ({@code [parity]}), so a GPU run shows how close the two are.
 */
class CudaLossAndOptimizerVersusCpuTest {
    /** Rows x columns: 1, 3, 17, 1000, a width past one warp, and more rows than 1024 blocks of 8 warps. */
    private static final int[][] SHAPES = {{1, 1}, {3, 17}, {17, 3}, {1000, 3}, {3, 1000}, {37, 33}, {9001, 3}};

    @BeforeAll
    static void requireGpu() {
        Gpu.require();
    }

    private static Tolerance tolerance(Precision p) {
        return p == Precision.FP64 ? Tolerance.CUDA_VERSUS_CPU_FP64 : Tolerance.FP32;
    }

    private static Backend cpu(Precision p) {
        return Backends.select("cpu", p).backend();
    }

    /** The own-kernel path: none of these operations is a product, so cuBLAS is not needed. */
    private static Backend cuda(Precision p) {
        return CudaBackendProvider.open(p, GemmChoice.KERNELS);
    }

    private static void agree(String what, Precision p, double[] cpu, double[] gpu) {
        System.out.printf("[parity] %s %-56s max|diff| %.3g%n", p.id(), what, Compare.maxDiff(cpu, gpu));
        double[] bound = new double[cpu.length];
        for (int i = 0; i < bound.length; i++) {
            bound[i] = tolerance(p).bound(cpu[i]);
        }
        Compare.within(what, cpu, gpu, bound);
    }

    private static Matrix put(Backend be, int rows, int cols, double[] values) {
        Matrix m = be.allocate(rows, cols);
        be.upload(values, 0, m);
        return m;
    }

    /**
     * Logits in [-3, 3]; every fifth row has entries of +1000 and -1000, every seventh row small
     * integers (ties, and zeros on the binary loss's boundary).
     */
    static double[] logits(SplittableRandom rng, int rows, int cols) {
        double[] z = OperationConformance.random(rng, rows * cols, -3, 3);
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols; k++) {
                int i = r * cols + k;
                if (r % 5 == 1) {
                    int coin = rng.nextInt(3);
                    z[i] = coin == 0 ? 1000 : coin == 1 ? -1000 : z[i];
                }
                if (r % 7 == 3) {
                    z[i] = rng.nextInt(3) - 1;
                }
            }
        }
        return z;
    }

    /** One-hot targets ({@code soft} false), or each in [0, 1]. */
    static double[] targets(SplittableRandom rng, int rows, int cols, boolean soft) {
        double[] t = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            if (soft) {
                for (int k = 0; k < cols; k++) {
                    t[r * cols + k] = rng.nextDouble();
                }
            } else {
                t[r * cols + rng.nextInt(cols)] = 1;
            }
        }
        return t;
    }

    @ParameterizedTest
    @EnumSource(
            value = Precision.class,
            names = {"FP64", "FP32"})
    void softmaxAgreesOnOddShapesAndLogitsOf1000(Precision p) {
        try (Backend c = cpu(p);
                Backend g = cuda(p)) {
            for (int[] s : SHAPES) {
                double[] z = logits(new SplittableRandom(s[0] * 31L + s[1]), s[0], s[1]);
                double[][] out = new double[2][];
                Backend[] both = {c, g};
                for (int b = 0; b < 2; b++) {
                    Matrix m = put(both[b], s[0], s[1], z);
                    both[b].activationForward(Activation.SOFTMAX, m, m); // in place, as a network's output may be
                    out[b] = both[b].download(m);
                }
                agree("softmax " + s[0] + "x" + s[1], p, out[0], out[1]);
            }
        }
    }

    static Stream<Arguments> lossCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            for (LogitLoss kind : LogitLoss.values()) {
                b.add(Arguments.of(p, kind));
            }
        }
        return b.build();
    }

    /**
     * Each shape as two micro-batches of one batch (beta 0, then 1, dividing by the whole batch's
     * rows), once with one-hot and once with soft targets: the loss, the rows right (exactly) and
     * both micro-batches' deltas.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("lossCases")
    void theFusedLossesAgreeOnOddShapesAndLogitsOf1000(Precision p, LogitLoss kind) {
        try (Backend c = cpu(p);
                Backend g = cuda(p)) {
            for (int[] s : SHAPES) {
                for (boolean soft : new boolean[] {false, true}) {
                    int rows = s[0];
                    int cols = s[1];
                    SplittableRandom rng = new SplittableRandom(rows * 131L + cols + (soft ? 7 : 0));
                    int first = (rows + 1) / 2;
                    int[] micro = {first, rows - first};
                    double[][] z = new double[2][];
                    double[][] t = new double[2][];
                    for (int k = 0; k < 2; k++) {
                        z[k] = logits(rng, Math.max(1, micro[k]), cols);
                        t[k] = targets(rng, Math.max(1, micro[k]), cols, soft);
                    }
                    double[][] loss = new double[2][];
                    List<List<double[]>> deltas = List.of(new ArrayList<>(), new ArrayList<>());
                    Backend[] both = {c, g};
                    for (int b = 0; b < 2; b++) {
                        Backend be = both[b];
                        Matrix l = put(be, 1, 2, new double[] {Double.NaN, Double.NaN}); // beta 0 must not read it
                        for (int k = 0; k < 2; k++) {
                            int r = Math.max(1, micro[k]);
                            Matrix d = be.allocate(r, cols);
                            be.logitLoss(kind, put(be, r, cols, z[k]), put(be, r, cols, t[k]), rows, d, k, l);
                            deltas.get(b).add(be.download(d));
                        }
                        loss[b] = be.download(l);
                    }
                    String what = kind.name().toLowerCase(Locale.ROOT) + " " + rows + "x" + cols
                            + (soft ? " soft" : " one-hot");
                    agree(what + " loss", p, new double[] {loss[0][0]}, new double[] {loss[1][0]});
                    assertEquals(loss[0][1], loss[1][1], 0.0, what + ": the rows classified right");
                    for (int k = 0; k < 2; k++) {
                        agree(
                                what + " delta " + (k + 1),
                                p,
                                deltas.get(0).get(k),
                                deltas.get(1).get(k));
                    }
                }
            }
        }
    }

    /** Every rule the optimizer has, with and without weight decay. */
    static final List<Optimizer> RULES = List.of(
            Optimizer.SGD,
            Optimizer.sgd(0.0, false, 0.01),
            Optimizer.sgd(0.9, false, 0.0),
            Optimizer.sgd(0.9, true, 0.01),
            Optimizer.adam(0.9, 0.999, 1e-8, 0.0),
            Optimizer.adam(0.8, 0.99, 1e-6, 0.01),
            Optimizer.adamw(0.9, 0.999, 1e-8, Optimizer.DEFAULT_ADAMW_WEIGHT_DECAY));

    @ParameterizedTest
    @EnumSource(
            value = Precision.class,
            names = {"FP64", "FP32"})
    void everyOptimizerRuleAgreesOverFiveStepsWithNewScalarsEachStep(Precision p) {
        int[][] shapes = {{1, 1}, {17, 3}, {1000, 3}};
        try (Backend c = cpu(p);
                Backend g = cuda(p)) {
            for (Optimizer rule : RULES) {
                for (int[] s : shapes) {
                    int n = s[0] * s[1];
                    SplittableRandom rng = new SplittableRandom(n * 7L + rule.hashCode());
                    double[] w = OperationConformance.random(rng, n, -1, 1);
                    double[][] grads = new double[5][];
                    for (int t = 0; t < 5; t++) {
                        grads[t] = OperationConformance.random(rng, n, -1, 1);
                    }
                    double[][][] out = new double[2][][];
                    Backend[] both = {c, g};
                    for (int b = 0; b < 2; b++) {
                        out[b] = steps(both[b], rule, s[0], s[1], w, grads);
                    }
                    String what = rule.describe() + " " + s[0] + "x" + s[1] + " after 5 steps";
                    agree(what + " param", p, out[0][0], out[1][0]);
                    String[] names = rule.stateNames();
                    for (int k = 0; k < names.length; k++) {
                        agree(what + " " + names[k], p, out[0][k + 1], out[1][k + 1]);
                    }
                }
            }
        }
    }

    /** Five updates of {@code w} by {@code rule}, step t with learning rate 0.1 / t; returns the parameter, then each state. */
    private static double[][] steps(Backend be, Optimizer rule, int rows, int cols, double[] w, double[][] grads) {
        Matrix param = put(be, rows, cols, w);
        Matrix[] states = new Matrix[2];
        for (int k = 0; k < rule.states(); k++) {
            states[k] = put(be, rows, cols, new double[rows * cols]); // every state starts at 0
        }
        Matrix scalars = be.allocate(1, Optimizer.STEP_SCALARS);
        Matrix grad = be.allocate(rows, cols);
        double[] step = new double[Optimizer.STEP_SCALARS];
        for (int t = 1; t <= grads.length; t++) {
            rule.stepScalars(0.1 / t, t, step);
            be.upload(step, 0, scalars);
            be.upload(grads[t - 1], 0, grad);
            be.optimizerUpdate(rule, scalars, grad, param, states[0], states[1]);
        }
        double[][] out = new double[1 + rule.states()][];
        out[0] = be.download(param);
        for (int k = 0; k < rule.states(); k++) {
            out[k + 1] = be.download(states[k]);
        }
        return out;
    }
}

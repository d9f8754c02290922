package dev.nabla.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Precision;
import dev.nabla.numerics.Tolerance;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The softmax and the fused classification losses ({@link LogitLoss}) against {@link Reference}
 * on odd shapes in both precisions, rows of logits of magnitude 1000 included (where {@code exp}
 * overflows a double), and the losses' gradients against central finite differences of the
 * losses themselves.
 */
public abstract class ClassificationConformance extends OperationConformance {

    /** Against the FP64 reference: {@link Tolerance#reference}, whose constants say why they are what they are. */
    private static Tolerance tolerance(Precision p) {
        return Tolerance.reference(p);
    }

    static final int[][] SHAPES = {{1, 1}, {1, 17}, {3, 17}, {17, 3}, {3, 1000}, {1000, 3}, {1000, 17}};

    static Stream<Arguments> softmaxCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            for (int[] s : SHAPES) {
                b.add(Arguments.of(p, s[0], s[1]));
            }
        }
        return b.build();
    }

    /**
     * Random logits in [-6, 6], with the first rows at magnitude 1000: one large value among
     * opposite ones, a row of equal large values (a tie), a row of large negative ones.
     */
    static double[] logits(SplittableRandom rng, int rows, int cols) {
        double[] z = random(rng, rows * cols, -6, 6);
        for (int k = 0; k < cols; k++) {
            z[k] = k == cols / 2 ? 1000 : -1000;
            if (rows > 1) {
                z[cols + k] = 1000;
            }
            if (rows > 2) {
                z[2 * cols + k] = -1000 + k % 2;
            }
        }
        return z;
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("softmaxCases")
    void softmaxForwardMatchesReference(Precision p, int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(rows * 41L + cols);
        double[] z = stored(p, logits(rng, rows, cols));
        double[] expected = Reference.softmax(z, rows, cols);
        try (Backend be = open(p)) {
            Matrix mz = put(be, rows, cols, z);
            Matrix ma = be.allocate(rows, cols);
            be.activationForward(Activation.SOFTMAX, mz, ma);
            double[] a = be.download(ma);
            Compare.close("softmax " + p, expected, a, tolerance(p));
            for (int r = 0; r < rows; r++) {
                double sum = 0;
                for (int k = 0; k < cols; k++) {
                    assertFalse(Double.isNaN(a[r * cols + k]), "softmax " + p + " row " + r + " has a NaN");
                    sum += a[r * cols + k];
                }
                // A sum of outputs each within the tolerance of its share of 1: within it of 1.
                assertEquals(1.0, sum, tolerance(p).bound(1.0), "softmax " + p + " row " + r + " sums to");
            }
            be.activationForward(Activation.SOFTMAX, mz, mz); // in place
            Compare.close("softmax in place " + p, expected, be.download(mz), tolerance(p));
        }
    }

    /** How targets are drawn. */
    enum Targets {
        /** One class per row (softmax), or each output 0 or 1 (binary). */
        ONE_HOT,
        /** Random non-negative values summing to 1 (softmax), or in [0, 1] (binary). */
        SOFT,
        /** Random values in [0, 1] whatever their sum: the softmax gradient {@code p S - t} with {@code S != 1}. */
        UNNORMALIZED
    }

    static double[] targets(SplittableRandom rng, LogitLoss kind, Targets how, int rows, int cols) {
        double[] t = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            if (how == Targets.ONE_HOT && kind == LogitLoss.SOFTMAX_CROSS_ENTROPY) {
                t[r * cols + rng.nextInt(cols)] = 1;
                continue;
            }
            double sum = 0;
            for (int k = 0; k < cols; k++) {
                double v = how == Targets.ONE_HOT ? rng.nextInt(2) : rng.nextDouble();
                t[r * cols + k] = v;
                sum += v;
            }
            if (how == Targets.SOFT && kind == LogitLoss.SOFTMAX_CROSS_ENTROPY) {
                for (int k = 0; k < cols; k++) {
                    t[r * cols + k] /= sum;
                }
            }
        }
        return t;
    }

    static Stream<Arguments> lossCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            for (LogitLoss kind : LogitLoss.values()) {
                for (Targets how : Targets.values()) {
                    if (kind == LogitLoss.BINARY_CROSS_ENTROPY && how == Targets.UNNORMALIZED) {
                        continue; // binary targets are not normalized: SOFT is this case already
                    }
                    for (int[] s : SHAPES) {
                        b.add(Arguments.of(p, kind, how, s[0], s[1]));
                    }
                }
            }
        }
        return b.build();
    }

    // The loss and delta within the reference tolerance on the scale of their terms (the loss's
    // terms are as large as the logits: 1000); the rows right exactly, as counting has no rounding.
    @ParameterizedTest(name = "{0} {1} {2} {3}x{4}")
    @MethodSource("lossCases")
    void logitLossMatchesReference(Precision p, LogitLoss kind, Targets how, int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(rows * 43L + cols * 3L + kind.ordinal() * 7L + how.ordinal());
        double[] z = stored(p, logits(rng, rows, cols));
        double[] t = stored(p, targets(rng, kind, how, rows, cols));
        boolean softmax = kind == LogitLoss.SOFTMAX_CROSS_ENTROPY;
        int count = rows + 2; // a micro-batch of a larger batch divides by the whole batch's size
        Reference.LogitLossResult ref = Reference.logitLoss(softmax, z, t, rows, cols, count);
        String what = kind + " " + how + " " + p + " " + rows + "x" + cols;
        try (Backend be = open(p)) {
            Matrix mz = put(be, rows, cols, z);
            Matrix mt = put(be, rows, cols, t);
            Matrix md = put(be, rows, cols, fill(rows * cols, Double.NaN));
            Matrix loss = put(be, 1, 2, new double[] {Double.NaN, Double.NaN});
            be.logitLoss(kind, mz, mt, count, md, 0.0, loss); // beta = 0: the NaNs there are not read
            double[] l = be.download(loss);
            Compare.close(what + " loss", new double[] {ref.loss()}, new double[] {l[0]}, tolerance(p), new double[] {
                ref.lossScale()
            });
            assertEquals(ref.right(), l[1], 0.0, what + " rows right");
            Compare.close(what + " delta", ref.delta(), be.download(md), tolerance(p), ref.deltaScale());
            assertTrue(Double.isFinite(l[0]), what + " loss is finite");

            be.logitLoss(kind, mz, mt, count, md, 1.0, loss); // beta = 1: adds onto what is there
            l = be.download(loss);
            // Twice the loss, one more rounding: within the tolerance of twice the scale.
            Compare.close(
                    what + " loss accumulated",
                    new double[] {2 * ref.loss()},
                    new double[] {l[0]},
                    tolerance(p),
                    new double[] {2 * ref.lossScale()});
            assertEquals(2.0 * ref.right(), l[1], 0.0, what + " rows right accumulated");
            Compare.close(what + " delta again", ref.delta(), be.download(md), tolerance(p), ref.deltaScale());
        }
    }

    // A batch in two micro-batches (beta = 0, then beta = 1) against the reference of the whole:
    // the same sums in two pieces, within the reference tolerance of the terms' scale.
    @ParameterizedTest(name = "{0} {1} {2} {3}x{4}")
    @MethodSource("lossCases")
    void logitLossAddsUpOverMicroBatches(Precision p, LogitLoss kind, Targets how, int rows, int cols) {
        if (rows < 2) {
            return; // one row does not split
        }
        SplittableRandom rng = new SplittableRandom(rows * 47L + cols * 5L + kind.ordinal() * 3L + how.ordinal());
        double[] z = stored(p, logits(rng, rows, cols));
        double[] t = stored(p, targets(rng, kind, how, rows, cols));
        Reference.LogitLossResult ref =
                Reference.logitLoss(kind == LogitLoss.SOFTMAX_CROSS_ENTROPY, z, t, rows, cols, rows);
        String what = kind + " " + how + " " + p + " " + rows + "x" + cols + " in two micro-batches";
        int first = rows / 2 + 1;
        double[] delta = new double[rows * cols];
        try (Backend be = open(p)) {
            Matrix loss = put(be, 1, 2, new double[] {Double.NaN, Double.NaN});
            int[][] parts = {{0, first}, {first, rows}};
            for (int[] part : parts) {
                int n = part[1] - part[0];
                Matrix mz = be.allocate(n, cols);
                Matrix mt = be.allocate(n, cols);
                Matrix md = be.allocate(n, cols);
                be.upload(z, part[0] * cols, mz);
                be.upload(t, part[0] * cols, mt);
                be.logitLoss(kind, mz, mt, rows, md, part[0] == 0 ? 0.0 : 1.0, loss);
                be.download(md, delta, part[0] * cols);
            }
            double[] l = be.download(loss);
            Compare.close(what + " loss", new double[] {ref.loss()}, new double[] {l[0]}, tolerance(p), new double[] {
                ref.lossScale()
            });
            assertEquals(ref.right(), l[1], 0.0, what + " rows right");
            Compare.close(what + " delta", ref.delta(), delta, tolerance(p), ref.deltaScale());
        }
    }

    static Stream<Arguments> finiteDifferenceCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (LogitLoss kind : LogitLoss.values()) {
            for (Targets how : Targets.values()) {
                if (kind == LogitLoss.BINARY_CROSS_ENTROPY && how == Targets.UNNORMALIZED) {
                    continue; // as in lossCases
                }
                for (double magnitude : new double[] {0, 500}) {
                    for (int[] s : new int[][] {{1, 3}, {3, 17}, {17, 3}, {3, 1}}) {
                        b.add(Arguments.of(kind, how, magnitude, s[0], s[1]));
                    }
                }
            }
        }
        return b.build();
    }

    /**
     * The gradient the loss returns, {@code delta}, against central differences of the loss itself
     * (FP64, step {@link Tolerance#FINITE_DIFFERENCE_STEP}), within
     * {@link Tolerance#FINITE_DIFFERENCE}: 1e-6 relative, the table's bound for a difference quotient.
     * Rows differ only in their own loss, so each row's loss is differenced alone (the other rows'
     * sums would add their rounding). At magnitude 500 each row's logits lie within 0.5 of 500 or of
     * -500; binary rows there take one output each, so that a row's loss is one term whose rounding
     * (1e-13 of a 500) scales with its gradient. Softmax logits lie within 0.5 of their row's base,
     * so that no class's probability is below 0.01 (of 17). Targets are drawn again until no
     * gradient is within 0.005 of zero, where the quotient's rounding of an O(1) loss (a few 1e-16
     * over the 2e-6 step, up to 1e-9) would approach the relative bound (5e-9 there).
     */
    @ParameterizedTest(name = "{0} {1} magnitude {2} {3}x{4}")
    @MethodSource("finiteDifferenceCases")
    void logitLossGradientMatchesCentralFiniteDifferences(
            LogitLoss kind, Targets how, double magnitude, int rows, int cols) {
        if (magnitude > 0 && kind == LogitLoss.BINARY_CROSS_ENTROPY && cols > 1) {
            return; // see above: binary rows at magnitude 500 take one output
        }
        boolean softmax = kind == LogitLoss.SOFTMAX_CROSS_ENTROPY;
        SplittableRandom rng = new SplittableRandom(rows * 53L + cols + (long) magnitude + kind.ordinal() * 11L);
        double[] z = new double[rows * cols];
        double[] t = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double base = magnitude == 0 ? rng.nextDouble(-3, 3) : (r % 2 == 0 ? magnitude : -magnitude);
            for (int k = 0; k < cols; k++) {
                boolean spread = magnitude == 0 && !softmax; // softmax spreads its logits by 0.5 around a row's base
                z[r * cols + k] = spread ? rng.nextDouble(-3, 3) : base + rng.nextDouble(-0.5, 0.5);
            }
            drawRowTargets(rng, kind, how, z, t, r, cols);
        }
        double eps = Tolerance.FINITE_DIFFERENCE_STEP;
        try (Backend be = open(Precision.FP64)) {
            Matrix mz = put(be, rows, cols, z);
            Matrix mt = put(be, rows, cols, t);
            Matrix md = be.allocate(rows, cols);
            Matrix loss = be.allocate(1, 2);
            be.logitLoss(kind, mz, mt, rows, md, 0.0, loss);
            double[] analytic = be.download(md);
            assertTrue(Double.isFinite(be.download(loss)[0]), "the loss at magnitude " + magnitude + " is finite");
            Matrix rz = be.allocate(1, cols);
            Matrix rt = be.allocate(1, cols);
            Matrix rd = be.allocate(1, cols);
            for (int r = 0; r < rows; r++) {
                be.upload(t, r * cols, rt);
                for (int k = 0; k < cols; k++) {
                    int i = r * cols + k;
                    double[] row = new double[cols];
                    System.arraycopy(z, r * cols, row, 0, cols);
                    double plus = z[i] + eps;
                    double minus = z[i] - eps;
                    row[k] = plus;
                    double lossPlus = rowLoss(be, kind, row, rz, rt, rd, rows, loss);
                    row[k] = minus;
                    double lossMinus = rowLoss(be, kind, row, rz, rt, rd, rows, loss);
                    // divided by the step the doubles took: near 500, z +- 1e-6 rounds to 1e-13
                    double numeric = (lossPlus - lossMinus) / (plus - minus);
                    double bound =
                            Tolerance.FINITE_DIFFERENCE.bound(Math.max(Math.abs(analytic[i]), Math.abs(numeric)));
                    assertTrue(
                            Math.abs(analytic[i] - numeric) <= bound,
                            kind + " " + how + " magnitude " + magnitude + " logit " + i + ": analytic " + analytic[i]
                                    + ", numeric " + numeric + ", allowed " + bound);
                }
            }
        }
    }

    /** One row's loss, divided by the batch's {@code count}, as the backend computes it. */
    private static double rowLoss(
            Backend be, LogitLoss kind, double[] row, Matrix rz, Matrix rt, Matrix rd, int count, Matrix loss) {
        be.upload(row, 0, rz);
        be.logitLoss(kind, rz, rt, count, rd, 0.0, loss);
        return be.download(loss)[0];
    }

    /** Targets for row {@code r} whose gradients are all at least 0.005 from zero (see the test). */
    private static void drawRowTargets(
            SplittableRandom rng, LogitLoss kind, Targets how, double[] z, double[] t, int r, int cols) {
        int at = r * cols;
        double[] p = kind == LogitLoss.SOFTMAX_CROSS_ENTROPY ? Reference.softmax(slice(z, at, cols), 1, cols) : null;
        for (int tries = 0; ; tries++) {
            double[] row = targets(rng, kind, how, 1, cols);
            if (kind == LogitLoss.BINARY_CROSS_ENTROPY && how == Targets.SOFT) {
                for (int k = 0; k < cols; k++) {
                    row[k] = 0.1 + 0.8 * row[k]; // 1 - t or t, the gradient at magnitude 500, at least 0.1
                }
            }
            double sum = 0;
            for (double v : row) {
                sum += v;
            }
            double least = Double.POSITIVE_INFINITY;
            for (int k = 0; k < cols; k++) {
                double g = p != null ? p[k] * sum - row[k] : Reference.activate("sigmoid", z[at + k]) - row[k];
                least = Math.min(least, Math.abs(g));
            }
            boolean trivial = p != null && cols == 1; // a single class: the gradient is 0 for any logit
            if (least >= 0.005 || trivial) {
                System.arraycopy(row, 0, t, at, cols);
                return;
            }
            assertTrue(tries < 10_000, "no targets found for row " + r);
        }
    }

    private static double[] slice(double[] v, int from, int n) {
        double[] out = new double[n];
        System.arraycopy(v, from, out, 0, n);
        return out;
    }
}

package dev.nabla.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.numerics.Tolerance;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backend operation against {@link Reference}, its naive twin, on odd shapes (1, 3, 17,
 * 1000) in both precisions; the softmax and the classification losses are in
 * {@link ClassificationConformance}, the optimizer update in {@link OptimizerConformance}, which
 * extend this class. A backend says how it is opened by implementing {@link #open}. Backends run
 * them all through {@link ConformanceSuite}, which adds the training-level checks.
 */
public abstract class OperationConformance {

    /** Opens the backend under test; each test closes what it opens. */
    protected abstract Backend open(Precision precision);

    /** Against the FP64 reference: {@link Tolerance#reference}, whose constants say why they are what they are. */
    private static Tolerance tolerance(Precision p) {
        return Tolerance.reference(p);
    }

    public static double[] random(SplittableRandom rng, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextDouble(lo, hi);
        }
        return v;
    }

    /** The values a backend of this precision actually holds for {@code v}. */
    static double[] stored(Precision p, double[] v) {
        double[] out = v.clone();
        if (p != Precision.FP64) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) out[i];
            }
        }
        return out;
    }

    static Matrix put(Backend be, int rows, int cols, double[] values) {
        Matrix m = be.allocate(rows, cols);
        be.upload(values, 0, m);
        return m;
    }

    static Stream<Arguments> gemmShapes() {
        int[][] shapes = {
            {1, 1, 1},
            {3, 1, 17},
            {1, 17, 3},
            {17, 3, 1},
            {3, 17, 1000},
            {1000, 3, 17},
            {17, 1000, 3},
            {1000, 17, 3},
            {65, 67, 129},
        };
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            for (int[] s : shapes) {
                for (int t = 0; t < 4; t++) {
                    b.add(Arguments.of(p, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} m={1} n={2} k={3} transA={4} transB={5}")
    @MethodSource("gemmShapes")
    void gemmMatchesReference(Precision p, int m, int n, int k, boolean ta, boolean tb) {
        SplittableRandom rng = new SplittableRandom(31L * m + 7L * n + k + (ta ? 1 : 0) + (tb ? 2 : 0));
        double[] a = stored(p, random(rng, m * k, -1, 1));
        double[] b = stored(p, random(rng, k * n, -1, 1));
        double[] c = stored(p, random(rng, m * n, -1, 1));
        double[][] alphaBeta = {{1, 0}, {0.5, -1.5}, {-2, 1}};
        try (Backend be = open(p)) {
            for (double[] ab : alphaBeta) {
                Matrix ma = put(be, ta ? k : m, ta ? m : k, a);
                Matrix mb = put(be, tb ? n : k, tb ? k : n, b);
                Matrix mc = put(be, m, n, c);
                be.gemm(ta, tb, ab[0], ma, mb, ab[1], mc);
                double[][] ref = Reference.gemm(ta, tb, m, n, k, ab[0], a, b, ab[1], c);
                double[] bound = new double[m * n];
                for (int i = 0; i < bound.length; i++) {
                    bound[i] = tolerance(p).bound(ref[1][i]);
                }
                Compare.within(
                        String.format(
                                "gemm %s m=%d n=%d k=%d ta=%b tb=%b alpha=%s beta=%s",
                                p, m, n, k, ta, tb, ab[0], ab[1]),
                        ref[0],
                        be.download(mc),
                        bound);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Precision.class,
            names = {"FP64", "FP32"})
    void gemmWithBetaZeroIgnoresNaNInOutput(Precision p) {
        try (Backend be = open(p)) {
            Matrix a = put(be, 3, 2, new double[] {1, 2, 3, 4, 5, 6});
            Matrix b = put(be, 2, 1, new double[] {1, -1});
            Matrix c = put(be, 3, 1, new double[] {Double.NaN, Double.NaN, Double.POSITIVE_INFINITY});
            be.gemm(false, false, 1, a, b, 0, c);
            assertArrayEquals(new double[] {-1, -1, -1}, be.download(c), 0.0);
        }
    }

    static Stream<Arguments> elementwiseCases() {
        int[][] shapes = {{1, 1}, {3, 17}, {17, 3}, {1000, 3}, {1000, 17}};
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            for (Activation f : Activation.values()) {
                if (!f.elementwise()) {
                    continue; // the softmax, over rows: ClassificationConformance
                }
                for (int[] s : shapes) {
                    b.add(Arguments.of(p, f, s[0], s[1]));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {1} {2}x{3}")
    @MethodSource("elementwiseCases")
    void activationForwardMatchesReference(Precision p, Activation f, int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(rows * 131L + cols + f.ordinal());
        double[] z = stored(p, random(rng, rows * cols, -6, 6));
        z[0] = 0.0; // relu's kink and sigmoid's centre
        if (z.length > 2) {
            z[1] = 40.0; // saturated sigmoid and tanh
            z[2] = -40.0;
        }
        double[] expected = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            expected[i] = Reference.activate(f.id(), z[i]);
        }
        try (Backend be = open(p)) {
            Matrix mz = put(be, rows, cols, z);
            Matrix ma = be.allocate(rows, cols);
            be.activationForward(f, mz, ma);
            Compare.close("forward " + f + " " + p, expected, be.download(ma), tolerance(p));
            be.activationForward(f, mz, mz); // in place
            Compare.close("forward in place " + f + " " + p, expected, be.download(mz), tolerance(p));
        }
    }

    @ParameterizedTest(name = "{0} {1} {2}x{3}")
    @MethodSource("elementwiseCases")
    void activationBackwardMatchesReference(Precision p, Activation f, int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(rows * 137L + cols + f.ordinal());
        double[] z = random(rng, rows * cols, -4, 4);
        double[] a = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            a[i] = Reference.activate(f.id(), z[i]);
        }
        a = stored(p, a);
        double[] g = stored(p, random(rng, z.length, -1, 1));
        double[] expected = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            expected[i] = g[i] * Reference.derivative(f.id(), a[i]);
        }
        try (Backend be = open(p)) {
            Matrix ma = put(be, rows, cols, a);
            Matrix mg = put(be, rows, cols, g);
            Matrix md = be.allocate(rows, cols);
            be.activationBackward(f, ma, mg, md);
            Compare.close("backward " + f + " " + p, expected, be.download(md), tolerance(p));
            be.activationBackward(f, ma, mg, mg); // delta written over g
            Compare.close("backward in place " + f + " " + p, expected, be.download(mg), tolerance(p));
        }
    }

    static Stream<Arguments> matrixShapes() {
        int[][] shapes = {{1, 1}, {1, 17}, {3, 1}, {17, 3}, {1000, 3}, {1000, 17}, {5000, 2}};
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            for (int[] s : shapes) {
                b.add(Arguments.of(p, s[0], s[1]));
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("matrixShapes")
    void mseLossMatchesReference(Precision p, int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(rows * 17L + cols);
        double[] o = stored(p, random(rng, rows * cols, 0, 1));
        double[] t = stored(p, random(rng, rows * cols, 0, 1));
        for (int count : new int[] {rows, 3 * rows + 1}) {
            double[] delta = new double[o.length];
            double loss = Reference.mse(o, t, count, delta);
            try (Backend be = open(p)) {
                Matrix mo = put(be, rows, cols, o);
                Matrix mt = put(be, rows, cols, t);
                Matrix md = be.allocate(rows, cols);
                Matrix ml = put(be, 1, 1, new double[] {Double.NaN});
                be.mseLoss(mo, mt, count, md, 0.0, ml); // beta = 0: the NaN there is not read
                Compare.close("mse loss " + p + " count=" + count, new double[] {loss}, be.download(ml), tolerance(p));
                Compare.close("mse delta " + p + " count=" + count, delta, be.download(md), tolerance(p));
                be.mseLoss(mo, mt, count, md, 1.0, ml); // beta = 1: adds to the loss there
                Compare.close("mse loss accumulated " + p, new double[] {2 * loss}, be.download(ml), tolerance(p));
                be.mseLoss(mo, mt, count, mo, 0.0, ml); // delta written over the output
                Compare.close("mse delta in place " + p, delta, be.download(mo), tolerance(p));
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}x{2}")
    @MethodSource("matrixShapes")
    void biasAddAndGradientMatchReference(Precision p, int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(rows * 19L + cols);
        double[] z = stored(p, random(rng, rows * cols, -1, 1));
        double[] bias = stored(p, random(rng, cols, -1, 1));
        try (Backend be = open(p)) {
            Matrix mz = put(be, rows, cols, z);
            Matrix mb = put(be, 1, cols, bias);
            be.addBias(mb, mz);
            Compare.close("addBias " + p, Reference.addBias(z, bias, rows, cols), be.download(mz), tolerance(p));

            Matrix md = put(be, rows, cols, z);
            Matrix mg = put(be, 1, cols, fill(cols, Double.NaN));
            be.biasGradient(md, 0.0, mg); // beta = 0: the NaN already there is not read
            double[] expected = Reference.columnSums(z, rows, cols);
            double[] bound = Reference.columnSums(absolute(z), rows, cols); // sums' error scales with sum |d|
            for (int j = 0; j < cols; j++) {
                bound[j] = tolerance(p).bound(bound[j]);
            }
            Compare.within("biasGradient " + p, expected, be.download(mg), bound);

            double[] before = stored(p, random(rng, cols, -1, 1));
            be.upload(before, 0, mg);
            be.biasGradient(md, 1.0, mg); // beta = 1: accumulates onto what is there
            double[] accumulated = expected.clone();
            for (int j = 0; j < cols; j++) {
                accumulated[j] += before[j];
                bound[j] += tolerance(p).relative() * Math.abs(before[j]);
            }
            Compare.within("biasGradient accumulated " + p, accumulated, be.download(mg), bound);
        }
    }

    static double[] fill(int n, double v) {
        double[] out = new double[n];
        Arrays.fill(out, v);
        return out;
    }

    private static double[] absolute(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.abs(v[i]);
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(
            value = Precision.class,
            names = {"FP64", "FP32"})
    void uploadAndDownloadRoundTripWithOffsets(Precision p) {
        double[] values = random(new SplittableRandom(5), 3 * 17 + 4, -1e3, 1e3);
        try (Backend be = open(p)) {
            Matrix m = be.allocate(3, 17);
            be.upload(values, 4, m);
            double[] back = new double[3 * 17 + 2];
            be.download(m, back, 2);
            for (int i = 0; i < 3 * 17; i++) {
                assertEquals(stored(p, new double[] {values[4 + i]})[0], back[2 + i], 0.0, "element " + i);
            }
            float[] f = new float[3 * 17];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            be.upload(f, 0, m);
            float[] fb = new float[f.length];
            be.download(m, fb, 0);
            assertArrayEquals(f, fb, 0.0f, "float arrays round trip exactly in either precision");
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Precision.class,
            names = {"FP64", "FP32"})
    void viewsSeeAndChangeOnlyTheirRows(Precision p) {
        try (Backend be = open(p)) {
            Matrix m = put(be, 4, 3, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
            Matrix top = m.topRows(2);
            assertEquals(2, top.rows());
            assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, be.download(top), 0.0);
            Matrix g = put(be, 4, 3, new double[] {1, 2, 3, 4, 5, 6, -1, -1, -1, -1, -1, -1});
            Matrix lr = put(be, 1, Optimizer.STEP_SCALARS, new double[] {1, 0, 0});
            be.optimizerUpdate(Optimizer.SGD, lr, g.topRows(2), top, null, null); // w - 1 * w = 0, first two rows only
            top.close(); // a view owns nothing
            assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0, 7, 8, 9, 10, 11, 12}, be.download(m), 0.0);
        }
    }

    @Test
    void shapeMismatchesAreRejectedBeforeAnythingRuns() {
        try (Backend be = open(Precision.FP64)) {
            Matrix a = be.allocate(3, 2);
            Matrix b = be.allocate(3, 2);
            Matrix c = be.allocate(3, 3);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> be.gemm(false, false, 1, a, b, 0, c));
            assertTrue(e.getMessage().contains("inner dimensions"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> be.gemm(false, true, 1, a, b, 0, be.allocate(2, 3)));
            assertThrows(IllegalArgumentException.class, () -> be.activationForward(Activation.SIGMOID, a, c));
            assertThrows(IllegalArgumentException.class, () -> be.addBias(be.allocate(1, 3), a));
            assertThrows(IllegalArgumentException.class, () -> be.biasGradient(a, 0.0, be.allocate(2, 1)));
            assertThrows(IllegalArgumentException.class, () -> be.mseLoss(a, b, 3, b, 0.0, be.allocate(1, 2)));
            assertThrows(IllegalArgumentException.class, () -> be.mseLoss(a, b, 0, b, 0.0, be.allocate(1, 1)));
            assertThrows(IllegalArgumentException.class, () -> be.upload(new double[5], 0, a));
            assertThrows(IllegalArgumentException.class, () -> be.download(a, new double[6], 1));
            assertThrows(IllegalArgumentException.class, () -> be.allocate(0, 3));
            assertThrows(IllegalArgumentException.class, () -> a.topRows(4));
        }
    }

    @Test
    void aClosedBackendRefusesWork() {
        Backend be = open(Precision.FP64);
        Matrix a = be.allocate(2, 2);
        be.close();
        be.close(); // twice is harmless
        assertThrows(IllegalStateException.class, () -> be.allocate(1, 1));
        assertThrows(IllegalStateException.class, () -> be.download(a));
    }

    @Test
    void matricesOfAnotherBackendAreRejected() {
        try (Backend one = open(Precision.FP64);
                Backend two = open(Precision.FP64)) {
            Matrix a = one.allocate(2, 2);
            Matrix b = two.allocate(2, 2);
            Matrix lr = one.allocate(1, Optimizer.STEP_SCALARS);
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> one.optimizerUpdate(Optimizer.SGD, lr, b, a, null, null));
            assertTrue(e.getMessage().contains("another backend"), e.getMessage());
        }
    }
}

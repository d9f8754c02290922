package dev.nabla.cpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.conformance.Compare;
import dev.nabla.conformance.Reference;
import dev.nabla.numerics.Tolerance;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vectorized GEMM ({@link VectorGemm}: {@link VectorGemmFp64}, {@link VectorGemmFp32}) against
 * the plain loops and the reference, on shapes that cross every edge of its blocking: rows not a
 * multiple of the micro-tile or of a thread's block, columns not a multiple of a panel or past one
 * packed block, depths past one packed block.
 */
class VectorGemmTest {
    private static CpuGemm vector;
    private static final CpuGemm PLAIN = new PlainGemm();

    @BeforeAll
    static void vectorApi() {
        assumeTrue(CpuKernels.vectorApi(), "the JVM was started without --add-modules jdk.incubator.vector");
        vector = CpuKernels.choose().gemm();
    }

    static Stream<Arguments> shapes() {
        int[][] shapes = {
            {7, 9, 300},
            {97, 33, 257},
            {200, 1030, 20},
            {13, 40, 600},
            {6, 16, 256},
            {1, 64, 64},
            {300, 8, 9},
            {1000, 40, 300},
            {389, 70, 50}
        };
        Stream.Builder<Arguments> b = Stream.builder();
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                b.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
            }
        }
        return b.build();
    }

    // Against the FP64 reference: rounding differs only in order and in fused multiply-adds, so
    // Tolerance.FP64_REORDERED (FP32: Tolerance.FP32) of the sum of the terms' magnitudes.
    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4}")
    @MethodSource("shapes")
    void agreesWithThePlainLoopsAndTheReference(int m, int n, int k, boolean ta, boolean tb) {
        SplittableRandom rng = new SplittableRandom(m * 1_000_003L + n * 1009L + k);
        double[] a = random(rng, m * k);
        double[] b = random(rng, k * n);
        double[] c0 = random(rng, m * n);
        double[][] alphaBeta = {{1, 0}, {0.5, -1.5}, {-2, 1}};
        try (Parallel par = new Parallel(2)) {
            for (double[] ab : alphaBeta) {
                double[][] ref = Reference.gemm(ta, tb, m, n, k, ab[0], a, b, ab[1], c0);
                double[] fast = c0.clone();
                double[] plain = c0.clone();
                vector.multiply(par, ta, tb, m, n, k, ab[0], a, b, ab[1], fast);
                PLAIN.multiply(par, ta, tb, m, n, k, ab[0], a, b, ab[1], plain);
                Compare.close("vector fp64 vs reference", ref[0], fast, Tolerance.FP64_REORDERED, ref[1]);
                Compare.close("vector fp64 vs plain", plain, fast, Tolerance.FP64_REORDERED, ref[1]);

                float[] af = floats(a);
                float[] bf = floats(b);
                double[][] reff =
                        Reference.gemm(ta, tb, m, n, k, ab[0], doubles(af), doubles(bf), ab[1], doubles(floats(c0)));
                float[] fastf = floats(c0);
                vector.multiply(par, ta, tb, m, n, k, ab[0], af, bf, ab[1], fastf);
                Compare.close("vector fp32 vs reference", reff[0], doubles(fastf), Tolerance.FP32, reff[1]);
            }
        }
    }

    private static double[] random(SplittableRandom rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextDouble(-1, 1);
        }
        return v;
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}

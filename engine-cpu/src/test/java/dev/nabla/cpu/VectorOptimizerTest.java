package dev.nabla.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.backend.Optimizer;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Vector API optimizer update gives the plain loop's bits, for every rule, on lengths that
 * leave every remainder past the whole vectors (1, 3, 17, 1000, 4099), over a range split at odd
 * places, over a few steps (the states carried from one to the next); in FP64, and in FP32 through
 * {@link VectorOptimizer}, which takes the plain loop there. Few steps, as the other vector tests
 * take few calls: every operation here is correctly rounded in every JIT tier, and hundreds of
 * calls on short ranges left the JIT's code for the Vector API boxing vectors in the tests that run
 * after it in the same JVM ({@link NoAllocationPerStepTest} then failed).
 */
class VectorOptimizerTest {
    private static final int[] LENGTHS = {1, 3, 17, 1000, 4099};
    private static final int STEPS = 4;
    private static final CpuOptimizer VECTOR = new VectorOptimizer();

    @BeforeAll
    static void vectorApi() {
        assumeTrue(CpuKernels.vectorApi(), "the JVM was started without --add-modules jdk.incubator.vector");
    }

    static Stream<Arguments> cases() {
        Optimizer[] rules = {
            Optimizer.SGD,
            Optimizer.sgd(0.0, false, 0.01),
            Optimizer.sgd(0.9, false, 0.0),
            Optimizer.sgd(0.9, true, 0.05),
            Optimizer.adam(0.9, 0.999, 1e-8, 0.0),
            Optimizer.adam(0.8, 0.99, 1e-6, 0.01),
            Optimizer.adamw(0.9, 0.999, 1e-8, 0.01),
        };
        Stream.Builder<Arguments> b = Stream.builder();
        for (Optimizer rule : rules) {
            for (int n : LENGTHS) {
                b.add(Arguments.of(rule, n));
            }
        }
        return b.build();
    }

    private static double[] random(SplittableRandom rng, int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextDouble(lo, hi);
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

    /** Both kernels, each on its own copy of the parameter and states, step after step; the vector one over three pieces. */
    @ParameterizedTest(name = "{0} length {1}")
    @MethodSource("cases")
    void theVectorUpdateGivesThePlainLoopsBits(Optimizer rule, int n) {
        SplittableRandom rng = new SplittableRandom(n * 31L + rule.hashCode());
        double[] p = random(rng, n, -1, 1);
        double[][] plain = {p.clone(), new double[n], new double[n]};
        double[][] vector = {p.clone(), new double[n], new double[n]};
        float[][] plainF = {floats(p), new float[n], new float[n]};
        float[][] vectorF = {floats(p), new float[n], new float[n]};
        OptimizerStep s = new OptimizerStep();
        double[] scalars = new double[Optimizer.STEP_SCALARS];
        int[] cuts = {0, n / 3, n / 3 + Math.min(5, n - n / 3), n};
        for (int t = 1; t <= STEPS; t++) {
            double[] g = random(rng, n, -1, 1);
            g[0] = t == 3 ? 0.0 : g[0]; // a zero gradient: Adam's v may be tiny, the denominator eps
            float[] gf = floats(g);
            rule.stepScalars(0.01 * (1 + t % 3), t, scalars);
            s.set(rule, scalars[0], scalars[1], scalars[2]);
            PlainOptimizerFp64.update(s, g, plain[0], plain[1], plain[2], 0, n);
            PlainOptimizerFp32.update(s, gf, plainF[0], plainF[1], plainF[2], 0, n);
            for (int c = 0; c + 1 < cuts.length; c++) {
                VectorOptimizerFp64.update(s, g, vector[0], vector[1], vector[2], cuts[c], cuts[c + 1]);
                VECTOR.update(s, gf, vectorF[0], vectorF[1], vectorF[2], cuts[c], cuts[c + 1]);
            }
        }
        for (int a = 0; a < 3; a++) {
            for (int i = 0; i < n; i++) {
                assertEquals(
                        Double.doubleToLongBits(plain[a][i]),
                        Double.doubleToLongBits(vector[a][i]),
                        "fp64 array " + a + " element " + i);
                assertEquals(
                        Float.floatToIntBits(plainF[a][i]),
                        Float.floatToIntBits(vectorF[a][i]),
                        "fp32 array " + a + " element " + i);
            }
        }
    }
}

package dev.nabla.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.backend.Activation;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The vector activations compute every element the same way however a range is split: whole
 * vectors in place, a last partial one through scratch. Ranges split at odd places, in place or
 * not, give the bits of the whole range in one call.
 */
class VectorActivationsTest {
    private static final int N = 1000;
    private static final int[] CUTS = {0, 1, 7, 8, 13, 64, 333, 995, 999, N};

    @BeforeAll
    static void vectorApi() {
        assumeTrue(CpuKernels.vectorApi(), "the JVM was started without --add-modules jdk.incubator.vector");
    }

    private static double[] random(SplittableRandom rng, double bound) {
        double[] v = new double[N];
        for (int i = 0; i < N; i++) {
            v[i] = rng.nextDouble(-bound, bound);
        }
        v[3] = -0.0;
        v[4] = Double.NaN;
        return v;
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    @ParameterizedTest
    @EnumSource(value = Activation.class, names = "SOFTMAX", mode = EnumSource.Mode.EXCLUDE) // over rows: CpuOps
    void splitRangesGiveTheWholeRangesBits(Activation f) {
        SplittableRandom rng = new SplittableRandom(f.ordinal());
        double[] z = random(rng, 30);
        double[] g = random(rng, 2);
        double[] a = new double[N];
        double[] d = new double[N];
        VectorActivationsFp64.forward(f, z, a, 0, N);
        VectorActivationsFp64.backward(f, a, g, d, 0, N);
        float[] zf = floats(z);
        float[] gf = floats(g);
        float[] af = new float[N];
        float[] df = new float[N];
        VectorActivationsFp32.forward(f, zf, af, 0, N);
        VectorActivationsFp32.backward(f, af, gf, df, 0, N);

        double[] inPlace = z.clone();
        double[] split = new double[N];
        double[] gInPlace = g.clone();
        float[] inPlaceF = zf.clone();
        float[] splitF = new float[N];
        float[] gInPlaceF = gf.clone();
        for (int c = 0; c + 1 < CUTS.length; c++) {
            int from = CUTS[c];
            int to = CUTS[c + 1];
            VectorActivationsFp64.forward(f, z, split, from, to);
            VectorActivationsFp64.forward(f, inPlace, inPlace, from, to);
            VectorActivationsFp64.backward(f, a, gInPlace, gInPlace, from, to);
            VectorActivationsFp32.forward(f, zf, splitF, from, to);
            VectorActivationsFp32.forward(f, inPlaceF, inPlaceF, from, to);
            VectorActivationsFp32.backward(f, af, gInPlaceF, gInPlaceF, from, to);
        }
        // Every bit, except that a NaN need only be a NaN: which NaN an operation on NaNs gives differs
        // between the JIT's tiers (the interpreter's scalar fallback, the compiled vector instructions).
        for (int i = 0; i < N; i++) {
            assertEquals(Double.doubleToLongBits(a[i]), Double.doubleToLongBits(split[i]), "forward " + i);
            assertEquals(Double.doubleToLongBits(a[i]), Double.doubleToLongBits(inPlace[i]), "in place " + i);
            assertEquals(Double.doubleToLongBits(d[i]), Double.doubleToLongBits(gInPlace[i]), "backward " + i);
            assertEquals(Float.floatToIntBits(af[i]), Float.floatToIntBits(splitF[i]), "fp32 forward " + i);
            assertEquals(Float.floatToIntBits(af[i]), Float.floatToIntBits(inPlaceF[i]), "fp32 in place " + i);
            assertEquals(Float.floatToIntBits(df[i]), Float.floatToIntBits(gInPlaceF[i]), "fp32 backward " + i);
        }
    }
}

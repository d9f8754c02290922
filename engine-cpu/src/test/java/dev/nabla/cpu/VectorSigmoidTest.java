package dev.nabla.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.numerics.Tolerance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The vector sigmoid ({@link VectorSigmoidFp64}, {@link VectorSigmoidFp32}) against
 * {@link Math#exp}'s over the whole range, its edges (saturation, subnormal results, infinities,
 * NaN), and against itself in an interpreted JVM: the same bits in every JIT tier is what keeps
 * training reproducible bit for bit.
 */
class VectorSigmoidTest {
    private static final double[] EDGES = {
        0.0,
        -0.0,
        1e-300,
        -1e-300,
        1e-20,
        -1e-20,
        0.5,
        -0.5,
        20,
        -20,
        36.7,
        -36.7,
        40,
        -40,
        87,
        -87,
        103,
        -103,
        104,
        -104,
        105,
        -105,
        700,
        -700,
        -708,
        -708.5,
        -709.8,
        -720,
        -740,
        -744.4,
        -745.1,
        -745.2,
        -746,
        709.8,
        710,
        800,
        -800,
        1e300,
        -1e300,
        Double.MAX_VALUE,
        -Double.MAX_VALUE,
        Double.MIN_VALUE,
        Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        Double.NaN
    };

    @BeforeAll
    static void vectorApi() {
        assumeTrue(CpuKernels.vectorApi(), "the JVM was started without --add-modules jdk.incubator.vector");
    }

    /** The inputs: the edges, then values spread over [-760, 760], denser near 0. */
    static double[] inputs() {
        SplittableRandom rng = new SplittableRandom(20261127);
        double[] z = new double[4000];
        System.arraycopy(EDGES, 0, z, 0, EDGES.length);
        for (int i = EDGES.length; i < z.length; i++) {
            double u = rng.nextDouble(-1, 1);
            z[i] = i % 2 == 0 ? 760 * u : 16 * u;
        }
        return z;
    }

    static double[] sigmoid(double[] z) {
        double[] out = new double[z.length];
        VectorSigmoidFp64.forward(z, out, 0, z.length);
        return out;
    }

    static float[] sigmoid(float[] z) {
        float[] out = new float[z.length];
        VectorSigmoidFp32.forward(z, out, 0, z.length);
        return out;
    }

    static float[] floats(double[] z) {
        float[] f = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            f[i] = (float) z[i];
        }
        return f;
    }

    /** Sigmoid through {@link Math#exp} without overflow: {@code e^z / (1 + e^z)} below 0. */
    static double exact(double z) {
        if (z < 0) {
            double e = Math.exp(z);
            return e / (1.0 + e);
        }
        return 1.0 / (1.0 + Math.exp(-z));
    }

    @Test
    void doublePrecisionWithinAFewUnitsInTheLastPlace() {
        double[] z = inputs();
        double[] got = sigmoid(z);
        for (int i = 0; i < z.length; i++) {
            double want = exact(z[i]);
            if (Double.isNaN(want)) {
                assertTrue(Double.isNaN(got[i]), "sigmoid(NaN) = " + got[i]);
                continue;
            }
            // Subnormal results carry fewer bits: there the bound is a few of the smallest subnormals.
            double bound = Tolerance.VECTOR_SIGMOID_ULPS * (Math.ulp(want) + Double.MIN_VALUE);
            assertTrue(Math.abs(got[i] - want) <= bound, "sigmoid(" + z[i] + ") = " + got[i] + ", want " + want);
        }
        assertEquals(0.5, got[0]);
        assertEquals(1.0, sigmoid(new double[] {Double.POSITIVE_INFINITY})[0]);
        assertEquals(0.0, sigmoid(new double[] {Double.NEGATIVE_INFINITY})[0]);
    }

    @Test
    void singlePrecisionWithinAFewUnitsInTheLastPlace() {
        float[] z = floats(inputs());
        float[] got = sigmoid(z);
        for (int i = 0; i < z.length; i++) {
            float want = (float) exact(z[i]);
            if (Float.isNaN(want)) {
                assertTrue(Float.isNaN(got[i]), "sigmoid(NaN) = " + got[i]);
                continue;
            }
            float bound = Tolerance.VECTOR_SIGMOID_ULPS * (Math.ulp(want) + Float.MIN_VALUE);
            assertTrue(Math.abs(got[i] - want) <= bound, "sigmoid(" + z[i] + "f) = " + got[i] + ", want " + want);
        }
    }

    /** Every result's bits, one per line, FP64 then FP32. */
    static List<String> bits() {
        double[] z = inputs();
        List<String> lines = new ArrayList<>();
        for (double v : sigmoid(z)) {
            lines.add(Long.toHexString(Double.doubleToRawLongBits(v)));
        }
        for (float v : sigmoid(floats(z))) {
            lines.add(Integer.toHexString(Float.floatToRawIntBits(v)));
        }
        return lines;
    }

    /** Run by {@link #interpretedGivesTheSameBitsAsCompiled} in a JVM that only interprets. */
    public static void main(String[] args) {
        System.out.println(String.join("\n", bits()));
    }

    @Test
    void interpretedGivesTheSameBitsAsCompiled() throws IOException, InterruptedException {
        for (int warm = 0; warm < 3000; warm++) { // enough calls for the JIT's top tier
            sigmoid(inputs());
        }
        List<String> compiled = bits();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(
                        java.toString(),
                        "-Xint",
                        "--add-modules",
                        "jdk.incubator.vector",
                        "-cp",
                        System.getProperty("java.class.path"),
                        VectorSigmoidTest.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the interpreted JVM did not finish");
        assertEquals(0, p.exitValue(), "the interpreted JVM failed");
        List<String> interpreted = out.lines().toList();
        assertEquals(compiled.size(), interpreted.size());
        for (int i = 0; i < compiled.size(); i++) {
            assertEquals(compiled.get(i), interpreted.get(i), "result " + i + " differs between JIT tiers");
        }
    }
}

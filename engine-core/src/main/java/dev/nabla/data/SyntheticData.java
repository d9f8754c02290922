package dev.nabla.data;

import java.util.SplittableRandom;

/**
 * The built-in dataset {@code engine train} uses when no data file is given: inputs drawn
 * uniformly from {@code [-1, 1)}, targets produced by a fixed random "teacher" network
 * ({@code t = sigmoid(tanh(x A^T) C^T)}), so there is something real to learn and the loss falls.
 * The same seed gives the same samples, bit for bit.
 */
public final class SyntheticData {
    /** Width of the built-in data's inputs. */
    public static final int INPUTS = 16;
    /** Width of the built-in data's targets. */
    public static final int TARGETS = 4;
    /** Width of the teacher's hidden layer. */
    private static final int TEACHER_HIDDEN = 8;
    /** The most samples the built-in data holds: its inputs, {@link #INPUTS} values a sample, fill one array. */
    public static final int MAX_SAMPLES = ArrayLimit.rows(INPUTS);

    private SyntheticData() {}

    /** Bytes the inputs and targets of {@code samples} samples take. */
    public static long bytes(long samples) {
        return samples * (INPUTS + TARGETS) * Double.BYTES;
    }

    /** {@code samples} samples, 1 to {@link #MAX_SAMPLES}, drawn from {@code seed}. */
    public static Dataset generate(int samples, long seed) {
        if (samples < 1 || samples > MAX_SAMPLES) {
            throw new IllegalArgumentException(
                    "the built-in data holds 1 to " + MAX_SAMPLES + " samples, not " + samples);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] a = uniform(rng, TEACHER_HIDDEN * INPUTS, 1.0);
        double[] c = uniform(rng, TARGETS * TEACHER_HIDDEN, 2.0);
        double[] x = uniform(rng, samples * INPUTS, 1.0);
        double[] t = new double[samples * TARGETS];
        double[] h = new double[TEACHER_HIDDEN];
        for (int s = 0; s < samples; s++) {
            for (int j = 0; j < TEACHER_HIDDEN; j++) {
                double z = 0;
                for (int i = 0; i < INPUTS; i++) {
                    z += a[j * INPUTS + i] * x[s * INPUTS + i];
                }
                h[j] = Math.tanh(z);
            }
            for (int k = 0; k < TARGETS; k++) {
                double z = 0;
                for (int j = 0; j < TEACHER_HIDDEN; j++) {
                    z += c[k * TEACHER_HIDDEN + j] * h[j];
                }
                t[s * TARGETS + k] = 1.0 / (1.0 + Math.exp(-z));
            }
        }
        return new Dataset("built-in synthetic data", samples, INPUTS, TARGETS, x, t);
    }

    private static double[] uniform(SplittableRandom rng, int n, double r) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = rng.nextDouble(-r, r);
        }
        return v;
    }
}

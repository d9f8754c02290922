package dev.nabla.train;

import dev.nabla.data.Samples;

/**
 * How many samples a classifier gets right: those whose largest output is where their target is
 * largest (the class of a one-hot target; the likeliest class of a soft one). A tie goes to the
 * first of the tied outputs, on both sides. A single output stands for two classes, 1 at 0.5 and
 * above ({@link Classes}).
 */
public final class Accuracy {
    private Accuracy() {}

    /** The samples of {@code samples} that {@code trainer}'s network classifies right, a micro-batch at a time. */
    public static long correct(Trainer trainer, Samples samples) {
        int in = samples.inputWidth();
        int out = samples.targetWidth();
        int chunk = Math.min(trainer.capacity(), samples.count());
        double[] x = new double[chunk * in];
        double[] t = new double[chunk * out];
        long right = 0;
        for (int first = 0; first < samples.count(); first += chunk) {
            int rows = Math.min(chunk, samples.count() - first);
            samples.copyInputs(first, rows, x, 0);
            samples.copyTargets(first, rows, t, 0);
            double[] y = trainer.predict(x, 0, rows);
            for (int r = 0; r < rows; r++) {
                if (Classes.of(y, r * out, out) == Classes.of(t, r * out, out)) {
                    right++;
                }
            }
        }
        return right;
    }

    /** The index, from 0, of the largest of {@code width} values from {@code offset}; the first of a tie. */
    static int largest(double[] v, int offset, int width) {
        int best = 0;
        for (int k = 1; k < width; k++) {
            if (v[offset + k] > v[offset + best]) {
                best = k;
            }
        }
        return best;
    }
}

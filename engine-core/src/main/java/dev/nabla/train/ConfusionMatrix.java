package dev.nabla.train;

import dev.nabla.data.Samples;
import java.util.Locale;

/**
 * How a classifier's predictions fall against the true classes: {@code count(t, p)} samples of
 * true class {@code t} (their target's class, {@link Classes#of}) were predicted as class
 * {@code p} (their outputs' class). The diagonal holds the samples classified right.
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    private ConfusionMatrix(int classes) {
        counts = new long[classes][classes];
    }

    /** The matrix of {@code trainer}'s network on {@code samples}, computed a micro-batch at a time. */
    public static ConfusionMatrix of(Trainer trainer, Samples samples) {
        int in = samples.inputWidth();
        int out = samples.targetWidth();
        ConfusionMatrix m = new ConfusionMatrix(Classes.count(out));
        int chunk = Math.min(trainer.capacity(), samples.count());
        double[] x = new double[chunk * in];
        double[] t = new double[chunk * out];
        for (int first = 0; first < samples.count(); first += chunk) {
            int rows = Math.min(chunk, samples.count() - first);
            samples.copyInputs(first, rows, x, 0);
            samples.copyTargets(first, rows, t, 0);
            double[] y = trainer.predict(x, 0, rows);
            for (int r = 0; r < rows; r++) {
                m.add(Classes.of(t, r * out, out), Classes.of(y, r * out, out));
            }
        }
        return m;
    }

    /** A matrix of {@code classes} classes from counts: {@code counts[t][p]}. */
    public static ConfusionMatrix of(long[][] counts) {
        ConfusionMatrix m = new ConfusionMatrix(counts.length);
        for (int t = 0; t < counts.length; t++) {
            if (counts[t].length != counts.length) {
                throw new IllegalArgumentException(
                        "row " + t + " has " + counts[t].length + " counts, not " + counts.length);
            }
            System.arraycopy(counts[t], 0, m.counts[t], 0, counts.length);
        }
        return m;
    }

    void add(int trueClass, int predicted) {
        counts[trueClass][predicted]++;
    }

    /** The number of classes: the matrix is {@code classes() x classes()}. */
    public int classes() {
        return counts.length;
    }

    /** Samples of true class {@code t} predicted as {@code p}. */
    public long count(int t, int p) {
        return counts[t][p];
    }

    /** Samples classified right: the diagonal's sum. */
    public long correct() {
        long c = 0;
        for (int k = 0; k < counts.length; k++) {
            c += counts[k][k];
        }
        return c;
    }

    /** All the samples. */
    public long total() {
        long n = 0;
        for (long[] row : counts) {
            for (long v : row) {
                n += v;
            }
        }
        return n;
    }

    /**
     * The matrix as text: a title line, then a header of the predicted classes, one row per true
     * class with its total, and a row of the totals per predicted class. Every column is as wide
     * as its widest number plus one blank, so 10 classes of up to 99,999 samples each fit 80 columns.
     */
    public String format() {
        int c = counts.length;
        long[] colTotals = new long[c];
        long[] rowTotals = new long[c];
        for (int t = 0; t < c; t++) {
            for (int p = 0; p < c; p++) {
                rowTotals[t] += counts[t][p];
                colTotals[p] += counts[t][p];
            }
        }
        long total = total();
        int cell = Math.max(Long.toString(c - 1).length(), 1);
        for (long v : colTotals) {
            cell = Math.max(cell, Long.toString(v).length()); // a column's total is its largest number
        }
        int totalWidth = Math.max("total".length(), Long.toString(total).length());
        String label = "true\\pred";
        int first = Math.max(label.length(), "total".length());
        StringBuilder sb = new StringBuilder("confusion matrix (rows: true class, columns: predicted class):\n");
        sb.append(pad(label, first));
        for (int p = 0; p < c; p++) {
            sb.append(' ').append(pad(Integer.toString(p), cell));
        }
        sb.append("  ").append(pad("total", totalWidth)).append('\n');
        for (int t = 0; t < c; t++) {
            sb.append(pad(Integer.toString(t), first));
            for (int p = 0; p < c; p++) {
                sb.append(' ').append(pad(Long.toString(counts[t][p]), cell));
            }
            sb.append("  ").append(pad(Long.toString(rowTotals[t]), totalWidth)).append('\n');
        }
        sb.append(pad("total", first));
        for (int p = 0; p < c; p++) {
            sb.append(' ').append(pad(Long.toString(colTotals[p]), cell));
        }
        sb.append("  ").append(pad(Long.toString(total), totalWidth)).append('\n');
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return String.format(Locale.ROOT, "%" + width + "s", s);
    }
}

package dev.nabla.data;

import dev.nabla.InputException;
import dev.nabla.Plural;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Class labels as targets: a label is a class index {@code 0 .. C-1}, a whole number (a double
 * that holds one, {@code 2.0}, is fine), and stands for the one-hot target of width {@code C}
 * with a 1 at its index. {@code C} is the model's outputs, or without a model the largest label
 * plus one.
 */
public final class ClassLabels {
    private ClassLabels() {}

    /** Whether {@code v} is a class index below {@code limit}. */
    static boolean isClass(double v, int limit) {
        return v >= 0 && v < limit && v == Math.rint(v);
    }

    /**
     * The message for a label that is not a class index: {@code classes} is the model's outputs,
     * or 0 when no model bounds them.
     */
    static String notAClass(String label, int classes) {
        return "label " + label + " is not a class index "
                + (classes > 0
                        ? "0.." + (classes - 1) + " (the model has " + Plural.of(classes, "output") + ")"
                        : "(a whole number from 0 up)");
    }

    /**
     * The classes of labels whose largest is {@code max}: {@code classes} when the model gives
     * them, else {@code max + 1}, which must fit one-hot targets of {@code rows} rows in one array.
     */
    static int classes(String name, int rows, double max, int classes) {
        if (classes > 0) {
            return classes;
        }
        long c = (long) max + 1;
        if (!ArrayLimit.fits(rows, c)) {
            throw new InputException(name + ": the largest label, " + (long) max + ", makes " + c
                    + " classes; one-hot targets of " + rows + " x " + c + " do not fit one array of at most "
                    + ArrayLimit.MAX_LENGTH + " values");
        }
        return (int) c;
    }

    /**
     * Splits a table whose last column holds labels, all already checked to be class indices,
     * into inputs and one-hot targets of {@code classes} (0: the largest label plus one).
     */
    static Dataset oneHot(String name, int rows, int cols, double[] table, int classes) {
        int inputWidth = cols - 1;
        double max = 0;
        for (int r = 0; r < rows; r++) {
            max = Math.max(max, table[r * cols + inputWidth]);
        }
        int c = classes(name, rows, max, classes);
        double[] x = new double[rows * inputWidth];
        double[] t = new double[rows * c];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(table, r * cols, x, r * inputWidth, inputWidth);
            t[r * c + (int) table[r * cols + inputWidth]] = 1;
        }
        return new Dataset(name, rows, inputWidth, c, x, t);
    }

    /**
     * Samples from a {@code .npy} of inputs and a 1-D {@code .npy} of labels (integers of any
     * width and byte order, or float64 or float32 holding whole numbers), with one-hot targets of {@code classes} (0: the largest label plus
     * one). The inputs stay memory-mapped; the labels are read into memory once.
     */
    public static Samples npy(Path inputFile, Path labelFile, int classes) {
        NpyArray x = NpyArray.open(inputFile);
        NpyArray y = NpyArray.openLabels(labelFile);
        if (y.cols() != 1) {
            throw new InputException(labelFile + ": " + y.cols() + " columns; --labels reads one label a sample, a "
                    + "1-D array (N,) of class indices");
        }
        if (x.rows() != y.rows()) {
            throw new InputException(
                    labelFile + ": " + y.rows() + " labels, but " + inputFile + " has " + x.rows() + " rows of inputs");
        }
        x.requireFinite();
        int[] labels = new int[y.rows()];
        int limit = classes > 0 ? classes : ArrayLimit.MAX_LENGTH;
        double max = 0;
        int chunk = 1 << 16;
        double[] buf = new double[chunk];
        for (int first = 0; first < y.rows(); first += chunk) {
            int n = Math.min(chunk, y.rows() - first);
            y.copyRows(first, n, buf, 0);
            for (int i = 0; i < n; i++) {
                double v = buf[i];
                if (!isClass(v, limit)) {
                    throw new InputException(labelFile + ": row " + (first + i + 1) + ": "
                            + notAClass(
                                    v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : "" + v,
                                    classes));
                }
                labels[first + i] = (int) v;
                max = Math.max(max, v);
            }
        }
        return new Labeled(x, labels, classes(labelFile.toString(), y.rows(), max, classes), labelFile.toString());
    }

    /** Memory-mapped inputs with labels in memory, their targets one-hot. */
    private record Labeled(NpyArray inputs, int[] labels, int classes, String labelName) implements Samples {
        @Override
        public String name() {
            return inputs.name() + " and " + labelName;
        }

        @Override
        public int count() {
            return inputs.rows();
        }

        @Override
        public int inputWidth() {
            return inputs.cols();
        }

        @Override
        public int targetWidth() {
            return classes;
        }

        @Override
        public void copyInputs(int first, int rows, double[] dst, int offset) {
            inputs.copyRows(first, rows, dst, offset);
        }

        @Override
        public void copyTargets(int first, int rows, double[] dst, int offset) {
            Arrays.fill(dst, offset, offset + rows * classes, 0);
            for (int r = 0; r < rows; r++) {
                dst[offset + r * classes + labels[first + r]] = 1;
            }
        }
    }
}

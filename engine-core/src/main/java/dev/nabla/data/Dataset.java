package dev.nabla.data;

import java.util.Objects;

/**
 * Samples in memory: inputs {@code N x I} and targets {@code N x O}, both row-major, sample
 * {@code s} in row {@code s} of each.
 *
 * @param name where the data came from, for messages ({@code data.csv}, {@code built-in synthetic})
 * @param samples the number of samples {@code N}
 * @param inputWidth the inputs of each sample {@code I}
 * @param targetWidth the targets of each sample {@code O}
 * @param inputs {@code N x I} values, row-major; kept, not copied
 * @param targets {@code N x O} values, row-major; kept, not copied
 */
public record Dataset(String name, int samples, int inputWidth, int targetWidth, double[] inputs, double[] targets)
        implements Samples {

    /** Checks that there is at least one sample, input and target, and that both arrays have the lengths those give. */
    public Dataset {
        Objects.requireNonNull(name, "name");
        if (samples < 1 || inputWidth < 1 || targetWidth < 1) {
            throw new IllegalArgumentException("a dataset needs samples, inputs and targets, not " + samples + " x ("
                    + inputWidth + " + " + targetWidth + ")");
        }
        if (inputs.length != (long) samples * inputWidth || targets.length != (long) samples * targetWidth) {
            throw new IllegalArgumentException("array lengths do not match " + samples + " samples of " + inputWidth
                    + " inputs and " + targetWidth + " targets");
        }
    }

    /** Splits a table whose last {@code targetWidth} columns are the targets. */
    public static Dataset fromTable(String name, int rows, int cols, double[] table, int targetWidth) {
        int inputWidth = cols - targetWidth;
        double[] x = new double[rows * inputWidth];
        double[] t = new double[rows * targetWidth];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(table, r * cols, x, r * inputWidth, inputWidth);
            System.arraycopy(table, r * cols + inputWidth, t, r * targetWidth, targetWidth);
        }
        return new Dataset(name, rows, inputWidth, targetWidth, x, t);
    }

    @Override
    public int count() {
        return samples;
    }

    @Override
    public void copyInputs(int first, int rows, double[] dst, int offset) {
        System.arraycopy(inputs, first * inputWidth, dst, offset, rows * inputWidth);
    }

    @Override
    public void copyTargets(int first, int rows, double[] dst, int offset) {
        System.arraycopy(targets, first * targetWidth, dst, offset, rows * targetWidth);
    }

    @Override
    public double[] inputArray() {
        return inputs;
    }

    @Override
    public double[] targetArray() {
        return targets;
    }
}

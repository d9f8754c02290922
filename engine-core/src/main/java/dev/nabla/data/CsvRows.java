package dev.nabla.data;

import java.io.Serializable;

/**
 * The samples of one byte range of a CSV file ({@link CsvSource#readRange}): row-major inputs and
 * targets of {@code rows} samples, none possibly.
 *
 * @param headerSeen whether the range skipped a header (the first range only)
 */
public record CsvRows(int rows, int inputWidth, int targetWidth, double[] inputs, double[] targets, boolean headerSeen)
        implements Serializable {
    /** Splits a table of {@code inputWidth + targetWidth} columns into inputs and targets. */
    static CsvRows of(CsvTable t, int inputWidth, int targetWidth) {
        double[] x = new double[t.rows() * inputWidth];
        double[] y = new double[t.rows() * targetWidth];
        int cols = inputWidth + targetWidth;
        for (int r = 0; r < t.rows(); r++) {
            System.arraycopy(t.values(), r * cols, x, r * inputWidth, inputWidth);
            System.arraycopy(t.values(), r * cols + inputWidth, y, r * targetWidth, targetWidth);
        }
        return new CsvRows(t.rows(), inputWidth, targetWidth, x, y, t.headerSeen());
    }
}

// Generated from engine-cpu/src/main/templates/dev/nabla/cpu/PlainGemmFpN.java.template by PrecisionTemplates; edit the template, then run: java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java
package dev.nabla.cpu;

import java.util.Arrays;

/**
 * The double matrix product {@code c = alpha * op(a) * op(b) + beta * c}, row-major, in plain
 * loops: what {@link PlainGemm} runs, the small products {@link VectorGemm} leaves to it, and the
 * oracle the vectorized one is tested against.
 *
 * <p>For each row {@code i} of {@code c}, the sum over {@code p} of
 * {@code op(a)[i][p] * op(b)[p][:]} is accumulated into a row of doubles, in order of {@code p},
 * then scaled into {@code c} ({@code alpha} and {@code beta} taken as doubles). A transposed
 * {@code a} is read in place (in training it is a batch of deltas, as large as the batch); a
 * transposed {@code b} (a layer's weights) is first copied into a contiguous row-major
 * {@code op(b)}. Rows are split among threads; each row is computed the same way whatever the
 * split, so the result does not depend on the thread count. With {@code beta == 0} the old
 * {@code c} is not read.
 */
final class PlainGemmFp64 {
    /** Below this many multiply-adds the product runs on one thread. */
    private static final long PARALLEL_FLOPS = 1L << 16;

    void multiply(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
            double[] b, double beta, double[] c) {
        double[] opB = transB ? transpose(b, n, k) : b;
        // op(a)[i][p] is a[p * m + i] transposed, a[i * k + p] not.
        int aRow = transA ? 1 : k;
        int aCol = transA ? m : 1;
        double al = alpha;
        double be = beta;
        par.forRange(m, grainRows(m, n, k), (from, to) -> {
            double[] acc = new double[n];
            for (int i = from; i < to; i++) {
                int rowA = i * aRow;
                Arrays.fill(acc, 0.0);
                for (int p = 0; p < k; p++) {
                    double aip = a[rowA + p * aCol];
                    int rowB = p * n;
                    for (int j = 0; j < n; j++) {
                        acc[j] += aip * opB[rowB + j];
                    }
                }
                int rowC = i * n;
                for (int j = 0; j < n; j++) {
                    c[rowC + j] = be == 0.0 ? al * acc[j] : al * acc[j] + be * c[rowC + j];
                }
            }
        });
    }

    /** Rows per thread so that each share is worth a thread; all of them when the product is small. */
    private static int grainRows(int m, int n, int k) {
        long flopsPerRow = Math.max(1L, (long) n * k);
        long rows = (PARALLEL_FLOPS + flopsPerRow - 1) / flopsPerRow;
        return (int) Math.min(Math.max(1, m), rows);
    }

    /** The transpose of a row-major {@code rows x cols} matrix, as a new {@code cols x rows} one. */
    static double[] transpose(double[] x, int rows, int cols) {
        double[] t = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = x[r * cols + c];
            }
        }
        return t;
    }
}

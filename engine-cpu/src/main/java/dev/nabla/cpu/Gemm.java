package dev.nabla.cpu;

import java.util.Arrays;

/**
 * The CPU matrix product {@code c = alpha * op(a) * op(b) + beta * c}, row-major.
 *
 * <p>For each row {@code i} of {@code c}, the sum over {@code p} of
 * {@code op(a)[i][p] * op(b)[p][:]} is accumulated into a row in the operands' precision, in order
 * of {@code p}, then scaled into {@code c}. A transposed {@code a} is read in place (in training
 * it is a batch of deltas, as large as the batch); a transposed {@code b} (a layer's weights) is
 * first copied into a contiguous row-major {@code op(b)}. Rows are split among threads; each row is
 * computed the same way whatever the split, so the result does not depend on the thread count.
 * With {@code beta == 0} the old {@code c} is not read.
 */
final class Gemm {
    /** These loops as a {@link GemmKernel}. */
    static final GemmKernel KERNEL = new GemmKernel() {
        @Override
        public void fp64(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
                double[] b, double beta, double[] c) {
            Gemm.fp64(par, transA, transB, m, n, k, alpha, a, b, beta, c);
        }

        @Override
        public void fp32(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, float[] a,
                float[] b, double beta, float[] c) {
            Gemm.fp32(par, transA, transB, m, n, k, alpha, a, b, beta, c);
        }

        @Override
        public String description() {
            return "plain-loop GEMM (start Java with --add-modules jdk.incubator.vector for the vectorized one)";
        }
    };

    /** Below this many multiply-adds the product runs on one thread. */
    private static final long PARALLEL_FLOPS = 1L << 16;

    private Gemm() {
    }

    static void fp64(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
            double[] b, double beta, double[] c) {
        double[] opB = transB ? transpose(b, n, k) : b;
        // op(a)[i][p] is a[p * m + i] transposed, a[i * k + p] not.
        int aRow = transA ? 1 : k;
        int aCol = transA ? m : 1;
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
                    c[rowC + j] = beta == 0.0 ? alpha * acc[j] : alpha * acc[j] + beta * c[rowC + j];
                }
            }
        });
    }

    static void fp32(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, float[] a,
            float[] b, double beta, float[] c) {
        float[] opB = transB ? transpose(b, n, k) : b;
        int aRow = transA ? 1 : k;
        int aCol = transA ? m : 1;
        float al = (float) alpha;
        float be = (float) beta;
        par.forRange(m, grainRows(m, n, k), (from, to) -> {
            float[] acc = new float[n];
            for (int i = from; i < to; i++) {
                int rowA = i * aRow;
                Arrays.fill(acc, 0.0f);
                for (int p = 0; p < k; p++) {
                    float aip = a[rowA + p * aCol];
                    int rowB = p * n;
                    for (int j = 0; j < n; j++) {
                        acc[j] += aip * opB[rowB + j];
                    }
                }
                int rowC = i * n;
                for (int j = 0; j < n; j++) {
                    c[rowC + j] = be == 0.0f ? al * acc[j] : al * acc[j] + be * c[rowC + j];
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

    static float[] transpose(float[] x, int rows, int cols) {
        float[] t = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = x[r * cols + c];
            }
        }
        return t;
    }
}

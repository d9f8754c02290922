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
 * {@code c} is not read. A product allocates nothing once its buffers (the transposed {@code b},
 * each thread's accumulator row) have grown to its size.
 */
final class PlainGemmFp64 {
    /** Below this many multiply-adds the product runs on one thread. */
    private static final long PARALLEL_FLOPS = 1L << 16;

    private final Rows rows = new Rows();
    /** The last transposed {@code b}, grown to the largest one seen. */
    private double[] transposedB = new double[0];
    /** Each thread's accumulator row, grown to the widest product seen. */
    private final ThreadLocal<Accumulator> accumulators = ThreadLocal.withInitial(Accumulator::new);

    private static final class Accumulator {
        double[] row = new double[0];
    }

    void multiply(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
            double[] b, double beta, double[] c) {
        double[] opB = b;
        if (transB) {
            if (transposedB.length < n * k) {
                transposedB = new double[n * k];
            }
            transpose(b, n, k, transposedB);
            opB = transposedB;
        }
        rows.set(transA, n, k, m, a, opB, alpha, beta, c);
        par.forRange(m, grainRows(m, n, k), rows);
        rows.set(false, 0, 0, 0, null, null, 0, 0, null);
    }

    /** Rows {@code [from, to)} of {@code c}. */
    private final class Rows implements Parallel.Range {
        private int aRow;
        private int aCol;
        private int n;
        private int k;
        private double[] a;
        private double[] opB;
        private double alpha;
        private double beta;
        private double[] c;

        void set(boolean transA, int n, int k, int m, double[] a, double[] opB, double alpha, double beta, double[] c) {
            // op(a)[i][p] is a[p * m + i] transposed, a[i * k + p] not.
            this.aRow = transA ? 1 : k;
            this.aCol = transA ? m : 1;
            this.n = n;
            this.k = k;
            this.a = a;
            this.opB = opB;
            this.alpha = alpha;
            this.beta = beta;
            this.c = c;
        }

        @Override
        public void run(int from, int to) {
            int aRow = this.aRow;
            int aCol = this.aCol;
            int n = this.n;
            int k = this.k;
            double[] a = this.a;
            double[] opB = this.opB;
            double al = this.alpha;
            double be = this.beta;
            double[] c = this.c;
            Accumulator mine = accumulators.get();
            if (mine.row.length < n) {
                mine.row = new double[n];
            }
            double[] acc = mine.row;
            for (int i = from; i < to; i++) {
                int rowA = i * aRow;
                Arrays.fill(acc, 0, n, 0.0);
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
        }
    }

    /** Rows per thread so that each share is worth a thread; all of them when the product is small. */
    private static int grainRows(int m, int n, int k) {
        long flopsPerRow = Math.max(1L, (long) n * k);
        long rows = (PARALLEL_FLOPS + flopsPerRow - 1) / flopsPerRow;
        return (int) Math.min(Math.max(1, m), rows);
    }

    /** The transpose of a row-major {@code rows x cols} matrix, into the first {@code cols x rows} of {@code t}. */
    static void transpose(double[] x, int rows, int cols, double[] t) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = x[r * cols + c];
            }
        }
    }
}

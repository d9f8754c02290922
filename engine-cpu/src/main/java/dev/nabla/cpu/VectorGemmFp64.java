// Generated from engine-cpu/src/main/templates/dev/nabla/cpu/VectorGemmFpN.java.template by PrecisionTemplates; edit the template, then run: java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java
package dev.nabla.cpu;

import static dev.nabla.cpu.Panels.KC;
import static dev.nabla.cpu.Panels.MC;
import static dev.nabla.cpu.Panels.MR;
import static dev.nabla.cpu.Panels.NC;
import static dev.nabla.cpu.Panels.PACK_GRAIN;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fast double matrix product {@code c = alpha * op(a) * op(b) + beta * c}, row-major, with the
 * JDK's Vector API (module {@code jdk.incubator.vector}, which the JVM must be started with:
 * {@code --add-modules jdk.incubator.vector}); {@link VectorGemm} gives it the products where
 * panels pay. One algorithm, hence one file past 300 lines.
 *
 * <p>The classic blocked scheme ({@link Panels}): {@code op(b)} is packed block by block
 * ({@value Panels#KC} of its rows by up to {@value Panels#NC} of its columns) into panels
 * {@link #NR} columns wide, {@code op(a)} into panels {@value Panels#MR} rows tall; a
 * register-blocked micro-kernel then multiplies one A panel by one B panel, holding a
 * {@code MR x NR} tile of {@code c} in 12 vector registers and adding {@code MR x NR} fused
 * multiply-adds per step of {@code k}, in double. Packing turns transposed operands into the same
 * contiguous panels, so one kernel serves all four cases, and pads the edges with zeros. Blocks of
 * {@value Panels#MC} rows of {@code c} are shared among the backend's threads; every element of
 * {@code c} is summed in the same order (blocks of {@code k} in order, then {@code p} in order)
 * whatever the number of threads. {@code alpha} and {@code beta} are taken as doubles. A product
 * allocates nothing once its packing buffers have grown to its size: each parallel loop's body is
 * made once and set for each block.
 */
final class VectorGemmFp64 {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    /** Columns of a micro-tile: two vectors. */
    static final int NR = 2 * SPECIES.length();

    private final Panels.Split split = new Panels.Split();
    private final PackB packB = new PackB();
    private final PackA packA = new PackA();
    private final Tiles tiles = new Tiles();
    private double[] packedB = new double[0];
    /** op(a) packed whole, shared by the tasks of a split by column panels. */
    private double[] sharedA = new double[0];
    private final ThreadLocal<double[]> packedA = ThreadLocal.withInitial(() -> new double[MC * KC]);
    private final ThreadLocal<double[]> tileBuffers = ThreadLocal.withInitial(() -> new double[MR * NR]);

    // The product under way and its current block, which the loop bodies below read; cleared after.
    private double[] a;
    private double[] b;
    private double[] c;
    private boolean transA;
    private boolean transB;
    private int lda;
    private int ldb;
    private int m;
    private int n;
    private double alpha;
    /** {@code beta} for the first block of {@code k}, then 1: the later blocks add to {@code c}. */
    private double beta;
    private int p0;
    private int kc;
    private int j0;
    private int nc;

    void multiply(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
            double[] b, double beta, double[] c) {
        this.a = a;
        this.b = b;
        this.c = c;
        this.transA = transA;
        this.transB = transB;
        this.lda = transA ? m : k;
        this.ldb = transB ? k : n;
        this.m = m;
        this.n = n;
        this.alpha = alpha;
        int depth = Panels.depth(k);
        for (j0 = 0; j0 < n; j0 += NC) {
            nc = Math.min(NC, n - j0);
            int panels = (nc + NR - 1) / NR;
            for (p0 = 0; p0 < k; p0 += depth) {
                kc = Math.min(depth, k - p0);
                if (packedB.length < panels * kc * NR) {
                    packedB = new double[panels * depth * NR];
                }
                par.forRange(panels, PACK_GRAIN / (kc * NR) + 1, packB);
                this.beta = p0 == 0 ? beta : 1.0;
                split.plan(par.threads(), m, panels, kc, nc);
                if (!split.byRows()) {
                    int size = (m + MC - 1) / MC * MC * kc;
                    if (sharedA.length < size) {
                        sharedA = new double[size];
                    }
                    par.forRange((m + MC - 1) / MC, 1, packA);
                }
                par.forRange(split.tasks(), split.grain(), tiles);
            }
        }
        this.a = this.b = this.c = null;
    }

    /** Panels {@code [from, to)} of the current block of op(b), into {@link #packedB}. */
    private final class PackB implements Parallel.Range {
        @Override
        public void run(int from, int to) {
            packB(b, ldb, transB, p0, kc, j0, nc, packedB, from, to);
        }
    }

    /**
     * Row blocks {@code [from, to)} of op(a), columns p0 .. p0+kc-1, for all the tasks of a split
     * by column panels: into {@link #sharedA}, row block {@code i0} at {@code i0 * kc}.
     */
    private final class PackA implements Parallel.Range {
        @Override
        public void run(int from, int to) {
            for (int blk = from; blk < to; blk++) {
                packA(a, lda, transA, blk * MC, Math.min(MC, m - blk * MC), p0, kc, sharedA, blk * MC * kc);
            }
        }
    }

    /** Tasks {@code [from, to)} of {@link #split}: their tiles of {@code c} for the current block. */
    private final class Tiles implements Parallel.Range {
        @Override
        public void run(int fromTask, int toTask) {
            Panels.Split split = VectorGemmFp64.this.split;
            double[] a = VectorGemmFp64.this.a;
            double[] c = VectorGemmFp64.this.c;
            boolean transA = VectorGemmFp64.this.transA;
            int lda = VectorGemmFp64.this.lda;
            int n = VectorGemmFp64.this.n;
            int p0 = VectorGemmFp64.this.p0;
            int kc = VectorGemmFp64.this.kc;
            int j0 = VectorGemmFp64.this.j0;
            double alpha = VectorGemmFp64.this.alpha;
            double beta = VectorGemmFp64.this.beta;
            double[] bp = packedB;
            double[] ap = split.byRows() ? packedA.get() : sharedA;
            double[] tile = tileBuffers.get();
            for (int task = fromTask; task < toTask; task++) {
                int rowEnd = split.endRow(task);
                for (int i0 = split.firstRow(task); i0 < rowEnd; i0 += MC) {
                    int mc = Math.min(MC, rowEnd - i0);
                    int aBase = split.byRows() ? 0 : i0 * kc;
                    if (split.byRows()) {
                        packA(a, lda, transA, i0, mc, p0, kc, ap, 0);
                    }
                    for (int jp = split.firstPanel(task); jp < split.endPanel(task); jp++) {
                        int j = j0 + jp * NR;
                        int nr = Math.min(NR, n - j);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            kernel(kc, ap, aBase + ir * kc, bp, jp * kc * NR, tile);
                            store(tile, c, n, i0 + ir, j, mr, nr, alpha, beta);
                        }
                    }
                }
            }
        }
    }

    /**
     * Panels {@code fromPanel .. toPanel-1} of op(b) rows p0 .. p0+kc-1, columns j0 .. j0+nc-1: NR
     * columns each, rows contiguous, zero-padded.
     */
    private static void packB(double[] b, int ldb, boolean trans, int p0, int kc, int j0, int nc, double[] bp,
            int fromPanel, int toPanel) {
        for (int jp = fromPanel; jp < toPanel; jp++) {
            int base = jp * kc * NR;
            int jStart = j0 + jp * NR;
            int width = Math.min(NR, j0 + nc - jStart);
            for (int p = 0; p < kc; p++) {
                int row = base + p * NR;
                if (!trans) {
                    System.arraycopy(b, (p0 + p) * ldb + jStart, bp, row, width);
                }
                for (int jj = width; jj < NR; jj++) {
                    bp[row + jj] = 0.0;
                }
            }
            if (trans) {
                // op(b) column j is row j of b: read each of the panel's rows of b whole, write strided.
                for (int jj = 0; jj < width; jj++) {
                    int src = (jStart + jj) * ldb + p0;
                    for (int p = 0; p < kc; p++) {
                        bp[base + p * NR + jj] = b[src + p];
                    }
                }
            }
        }
    }

    /**
     * op(a) rows i0 .. i0+mc-1, columns p0 .. p0+kc-1, into {@code ap} from {@code at} as panels of
     * MR rows interleaved per p, zero-padded.
     */
    private static void packA(double[] a, int lda, boolean trans, int i0, int mc, int p0, int kc, double[] ap,
            int at) {
        for (int ir = 0; ir < mc; ir += MR) {
            int base = at + ir * kc;
            int rows = Math.min(MR, mc - ir);
            if (trans) {
                // op(a) row i is column i of a: MR neighbouring columns are contiguous in each row p of a.
                for (int p = 0; p < kc; p++) {
                    int src = (p0 + p) * lda + i0 + ir;
                    int dst = base + p * MR;
                    for (int ii = 0; ii < rows; ii++) {
                        ap[dst + ii] = a[src + ii];
                    }
                    for (int ii = rows; ii < MR; ii++) {
                        ap[dst + ii] = 0.0;
                    }
                }
                continue;
            }
            for (int ii = 0; ii < MR; ii++) {
                if (ii >= rows) {
                    for (int p = 0; p < kc; p++) {
                        ap[base + p * MR + ii] = 0.0;
                    }
                } else {
                    int src = (i0 + ir + ii) * lda + p0;
                    for (int p = 0; p < kc; p++) {
                        ap[base + p * MR + ii] = a[src + p];
                    }
                }
            }
        }
    }

    /** The MR x NR tile of one A panel times one B panel, into {@code tile} (row-major). */
    private static void kernel(int kc, double[] ap, int aOff, double[] bp, int bOff, double[] tile) {
        int l = SPECIES.length();
        DoubleVector c00 = DoubleVector.zero(SPECIES);
        DoubleVector c01 = c00;
        DoubleVector c10 = c00;
        DoubleVector c11 = c00;
        DoubleVector c20 = c00;
        DoubleVector c21 = c00;
        DoubleVector c30 = c00;
        DoubleVector c31 = c00;
        DoubleVector c40 = c00;
        DoubleVector c41 = c00;
        DoubleVector c50 = c00;
        DoubleVector c51 = c00;
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * NR;
            DoubleVector b0 = DoubleVector.fromArray(SPECIES, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(SPECIES, bp, bi + l);
            int ai = aOff + p * MR;
            DoubleVector a = DoubleVector.broadcast(SPECIES, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = DoubleVector.broadcast(SPECIES, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = DoubleVector.broadcast(SPECIES, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = DoubleVector.broadcast(SPECIES, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = DoubleVector.broadcast(SPECIES, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = DoubleVector.broadcast(SPECIES, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, l);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + l);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + l);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + l);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + l);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + l);
    }

    /** c[i][j] = alpha * tile + beta * c (beta 0: c not read) for the tile's valid mr x nr part. */
    private static void store(double[] tile, double[] c, int ldc, int i, int j, int mr, int nr, double alpha,
            double beta) {
        if (nr == NR) { // a whole panel wide: a vector at a time
            for (int r = 0; r < mr; r++) {
                for (int v = 0; v < NR; v += SPECIES.length()) {
                    int at = (i + r) * ldc + j + v;
                    DoubleVector t = DoubleVector.fromArray(SPECIES, tile, r * NR + v).mul(alpha);
                    if (beta != 0.0) {
                        t = DoubleVector.fromArray(SPECIES, c, at).mul(beta).add(t);
                    }
                    t.intoArray(c, at);
                }
            }
            return;
        }
        for (int r = 0; r < mr; r++) {
            int row = (i + r) * ldc + j;
            int t = r * NR;
            if (beta == 0.0) {
                for (int jj = 0; jj < nr; jj++) {
                    c[row + jj] = alpha * tile[t + jj];
                }
            } else if (beta == 1.0) {
                for (int jj = 0; jj < nr; jj++) {
                    c[row + jj] += alpha * tile[t + jj];
                }
            } else {
                for (int jj = 0; jj < nr; jj++) {
                    c[row + jj] = alpha * tile[t + jj] + beta * c[row + jj];
                }
            }
        }
    }
}

package dev.nabla.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The fast CPU matrix product {@code c = alpha * op(a) * op(b) + beta * c}, row-major, with the
 * JDK's Vector API (module {@code jdk.incubator.vector}, which the JVM must be started with:
 * {@code --add-modules jdk.incubator.vector}; without it the backend uses {@link Gemm}).
 *
 * <p>The classic blocked scheme: {@code op(b)} is packed block by block ({@value #KC} of its rows
 * by up to {@value #NC} of its columns) into panels {@code NR} columns wide, {@code op(a)} into
 * panels {@value #MR} rows tall; a register-blocked micro-kernel then multiplies one A panel by
 * one B panel, holding a {@code MR x NR} tile of {@code c} in 12 vector registers and adding
 * {@code MR x NR} fused multiply-adds per step of {@code k}. Packing turns transposed operands
 * into the same contiguous panels, so one kernel serves all four cases, and pads the edges with
 * zeros. Blocks of {@value #MC} rows of {@code c} are shared among the backend's threads; every
 * element of {@code c} is summed in the same order (blocks of {@code k} in order, then {@code p}
 * in order) whatever the number of threads. Products too small or too thin for panels to pay
 * ({@link #worthIt}) go to {@link Gemm}.
 */
final class VectorGemm {
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    /** Rows of a micro-tile. */
    static final int MR = 6;
    /** Columns of a micro-tile: two vectors. */
    private static final int NRD = 2 * DS.length();
    private static final int NRF = 2 * FS.length();
    /** Depth of a packed block: KC rows of op(b), KC columns of op(a). */
    static final int KC = 256;
    /** Rows of op(a) packed at once (a multiple of MR), one thread's share of a block. */
    static final int MC = 96;
    /** Columns of op(b) packed at once. */
    static final int NC = 1024;
    /** Elements packed per task at least: less is not worth a thread. */
    private static final int PACK_GRAIN = 1 << 14;

    private double[] packedB = new double[0];
    private float[] packedBf = new float[0];
    /** op(a) packed whole, shared by the tasks of a split by column panels. */
    private double[] sharedA = new double[0];
    private float[] sharedAf = new float[0];
    private final ThreadLocal<double[]> packedA = ThreadLocal.withInitial(() -> new double[MC * KC]);
    private final ThreadLocal<float[]> packedAf = ThreadLocal.withInitial(() -> new float[MC * KC]);
    private final ThreadLocal<double[]> tileD = ThreadLocal.withInitial(() -> new double[MR * NRD]);
    private final ThreadLocal<float[]> tileF = ThreadLocal.withInitial(() -> new float[MR * NRF]);

    /** Vector lanes of one double register: 8 with AVX-512, 4 with AVX2. */
    static int doubleLanes() {
        return DS.length();
    }

    /** Whether panels pay for themselves: enough work, and {@code n} and {@code k} not tiny. */
    static boolean worthIt(int m, int n, int k) {
        return (long) m * n * k >= 1L << 15 && n >= 8 && k >= 8 && m >= 2;
    }

    void fp64(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a, double[] b,
            double beta, double[] c) {
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        for (int j0 = 0; j0 < n; j0 += NC) {
            int nc = Math.min(NC, n - j0);
            int panels = (nc + NRD - 1) / NRD;
            int depth = depth(k);
            for (int p0 = 0; p0 < k; p0 += depth) {
                int kc = Math.min(depth, k - p0);
                if (packedB.length < panels * kc * NRD) {
                    packedB = new double[panels * depth * NRD];
                }
                double[] bp = packedB;
                int pb = p0;
                int jb = j0;
                par.forRange(panels, PACK_GRAIN / (kc * NRD) + 1,
                        (from, to) -> packB(b, ldb, transB, pb, kc, jb, nc, bp, from, to));
                boolean first = p0 == 0;
                Split split = Split.of(par, m, panels, kc, nc);
                double[] shared = split.byRows() ? null : packAll(par, a, lda, transA, m, pb, kc);
                par.forRange(split.tasks(), split.grain(), (fromTask, toTask) -> {
                    double[] ap = split.byRows() ? packedA.get() : shared;
                    double[] tile = tileD.get();
                    for (int task = fromTask; task < toTask; task++) {
                        int rowEnd = split.endRow(task, m);
                        for (int i0 = split.firstRow(task, m); i0 < rowEnd; i0 += MC) {
                            int mc = Math.min(MC, rowEnd - i0);
                            int aBase = split.byRows() ? 0 : i0 * kc;
                            if (split.byRows()) {
                                packA(a, lda, transA, i0, mc, pb, kc, ap, 0);
                            }
                            for (int jp = split.firstPanel(task); jp < split.endPanel(task); jp++) {
                                int j = jb + jp * NRD;
                                int nr = Math.min(NRD, n - j);
                                for (int ir = 0; ir < mc; ir += MR) {
                                    int mr = Math.min(MR, mc - ir);
                                    kernel(kc, ap, aBase + ir * kc, bp, jp * kc * NRD, tile);
                                    store(tile, c, n, i0 + ir, j, mr, nr, alpha, first ? beta : 1.0);
                                }
                            }
                        }
                    }
                });
            }
        }
    }

    /** Depth of the packed blocks: {@code k} in equal blocks of at most {@value #KC}, so none is a thin remainder. */
    private static int depth(int k) {
        int blocks = (k + KC - 1) / KC;
        return (k + blocks - 1) / blocks;
    }

    /**
     * How one packed block of {@code c} is shared among threads: by rows when there are enough of
     * them, in tasks of at most {@value #MC} rows whose sizes differ by one micro-tile at most, so
     * that every thread gets the same work; else (few rows, as in a layer's weight gradient) by
     * groups of column panels, the few rows then packed once and shared. Rows and panels only
     * change who computes an element, never the order of its sums.
     */
    private record Split(boolean byRows, int tasks, int panels, int grain) {
        static Split of(Parallel par, int m, int panels, int kc, int nc) {
            int rowBlocks = (m + MC - 1) / MC;
            boolean small = (long) m * kc * nc < 1L << 17;
            boolean byRows = rowBlocks >= 2 * par.threads() || panels < 2;
            int tasks;
            if (byRows) {
                int tiles = (m + MR - 1) / MR;
                int perThread = (tiles + par.threads() - 1) / par.threads();
                tasks = par.threads() * ((perThread + MC / MR - 1) / (MC / MR));
                tasks = Math.min(tasks, tiles);
            } else {
                tasks = Math.min(panels, 2 * par.threads());
            }
            return new Split(byRows, tasks, panels, small ? tasks : 1);
        }

        /** The first row of {@code c} of a task: a multiple of MR, or 0 when split by panels (every task has all rows). */
        int firstRow(int task, int m) {
            return byRows ? tileBoundary(task, m) : 0;
        }

        int endRow(int task, int m) {
            return byRows ? Math.min(m, tileBoundary(task + 1, m)) : m;
        }

        private int tileBoundary(int task, int m) {
            int tiles = (m + MR - 1) / MR;
            return (int) ((long) tiles * task / tasks) * MR;
        }

        int firstPanel(int task) {
            return byRows ? 0 : (int) ((long) panels * task / tasks);
        }

        int endPanel(int task) {
            return byRows ? panels : (int) ((long) panels * (task + 1) / tasks);
        }
    }

    /**
     * Panels {@code fromPanel .. toPanel-1} of op(b) rows p0 .. p0+kc-1, columns j0 .. j0+nc-1: NRD
     * columns each, rows contiguous, zero-padded.
     */
    private static void packB(double[] b, int ldb, boolean trans, int p0, int kc, int j0, int nc, double[] bp,
            int fromPanel, int toPanel) {
        for (int jp = fromPanel; jp < toPanel; jp++) {
            int base = jp * kc * NRD;
            int jStart = j0 + jp * NRD;
            int width = Math.min(NRD, j0 + nc - jStart);
            for (int p = 0; p < kc; p++) {
                int row = base + p * NRD;
                if (!trans) {
                    System.arraycopy(b, (p0 + p) * ldb + jStart, bp, row, width);
                }
                for (int jj = width; jj < NRD; jj++) {
                    bp[row + jj] = 0.0;
                }
            }
            if (trans) {
                // op(b) column j is row j of b: read each of the panel's rows of b whole, write strided.
                for (int jj = 0; jj < width; jj++) {
                    int src = (jStart + jj) * ldb + p0;
                    for (int p = 0; p < kc; p++) {
                        bp[base + p * NRD + jj] = b[src + p];
                    }
                }
            }
        }
    }

    /** Packs one block of op(a)'s rows: rows i0 .. i0+mc-1 into the shared buffer from {@code at}. */
    private interface RowBlockPacker {
        void pack(int i0, int mc, int at);
    }

    /**
     * Every row block of op(a), packed in parallel into one buffer for all the tasks of a split by
     * column panels: row block {@code i0} at {@code i0 * kc}.
     */
    private static void packAll(Parallel par, int m, int kc, RowBlockPacker packer) {
        par.forRange((m + MC - 1) / MC, 1, (from, to) -> {
            for (int blk = from; blk < to; blk++) {
                packer.pack(blk * MC, Math.min(MC, m - blk * MC), blk * MC * kc);
            }
        });
    }

    /** op(a) rows packed whole, columns p0 .. p0+kc-1 (see {@link #packAll(Parallel, int, int, RowBlockPacker)}). */
    private double[] packAll(Parallel par, double[] a, int lda, boolean trans, int m, int p0, int kc) {
        int size = (m + MC - 1) / MC * MC * kc;
        if (sharedA.length < size) {
            sharedA = new double[size];
        }
        double[] ap = sharedA;
        packAll(par, m, kc, (i0, mc, at) -> packA(a, lda, trans, i0, mc, p0, kc, ap, at));
        return ap;
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

    /** The MR x NRD tile of one A panel times one B panel, into {@code tile} (row-major). */
    private static void kernel(int kc, double[] ap, int aOff, double[] bp, int bOff, double[] tile) {
        int l = DS.length();
        DoubleVector c00 = DoubleVector.zero(DS);
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
            int bi = bOff + p * NRD;
            DoubleVector b0 = DoubleVector.fromArray(DS, bp, bi);
            DoubleVector b1 = DoubleVector.fromArray(DS, bp, bi + l);
            int ai = aOff + p * MR;
            DoubleVector a = DoubleVector.broadcast(DS, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = DoubleVector.broadcast(DS, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = DoubleVector.broadcast(DS, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = DoubleVector.broadcast(DS, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = DoubleVector.broadcast(DS, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = DoubleVector.broadcast(DS, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, l);
        c10.intoArray(tile, NRD);
        c11.intoArray(tile, NRD + l);
        c20.intoArray(tile, 2 * NRD);
        c21.intoArray(tile, 2 * NRD + l);
        c30.intoArray(tile, 3 * NRD);
        c31.intoArray(tile, 3 * NRD + l);
        c40.intoArray(tile, 4 * NRD);
        c41.intoArray(tile, 4 * NRD + l);
        c50.intoArray(tile, 5 * NRD);
        c51.intoArray(tile, 5 * NRD + l);
    }

    /** c[i][j] = alpha * tile + beta * c (beta 0: c not read) for the tile's valid mr x nr part. */
    private static void store(double[] tile, double[] c, int ldc, int i, int j, int mr, int nr, double alpha,
            double beta) {
        if (nr == NRD) { // a whole panel wide: a vector at a time
            for (int r = 0; r < mr; r++) {
                for (int v = 0; v < NRD; v += DS.length()) {
                    int at = (i + r) * ldc + j + v;
                    DoubleVector t = DoubleVector.fromArray(DS, tile, r * NRD + v).mul(alpha);
                    if (beta != 0.0) {
                        t = DoubleVector.fromArray(DS, c, at).mul(beta).add(t);
                    }
                    t.intoArray(c, at);
                }
            }
            return;
        }
        for (int r = 0; r < mr; r++) {
            int row = (i + r) * ldc + j;
            int t = r * NRD;
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

    void fp32(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, float[] a, float[] b,
            double beta, float[] c) {
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        float al = (float) alpha;
        for (int j0 = 0; j0 < n; j0 += NC) {
            int nc = Math.min(NC, n - j0);
            int panels = (nc + NRF - 1) / NRF;
            int depth = depth(k);
            for (int p0 = 0; p0 < k; p0 += depth) {
                int kc = Math.min(depth, k - p0);
                if (packedBf.length < panels * kc * NRF) {
                    packedBf = new float[panels * depth * NRF];
                }
                float[] bp = packedBf;
                int pb = p0;
                int jb = j0;
                par.forRange(panels, PACK_GRAIN / (kc * NRF) + 1,
                        (from, to) -> packB(b, ldb, transB, pb, kc, jb, nc, bp, from, to));
                float be = p0 == 0 ? (float) beta : 1.0f;
                Split split = Split.of(par, m, panels, kc, nc);
                float[] shared = split.byRows() ? null : packAllF(par, a, lda, transA, m, pb, kc);
                par.forRange(split.tasks(), split.grain(), (fromTask, toTask) -> {
                    float[] ap = split.byRows() ? packedAf.get() : shared;
                    float[] tile = tileF.get();
                    for (int task = fromTask; task < toTask; task++) {
                        int rowEnd = split.endRow(task, m);
                        for (int i0 = split.firstRow(task, m); i0 < rowEnd; i0 += MC) {
                            int mc = Math.min(MC, rowEnd - i0);
                            int aBase = split.byRows() ? 0 : i0 * kc;
                            if (split.byRows()) {
                                packA(a, lda, transA, i0, mc, pb, kc, ap, 0);
                            }
                            for (int jp = split.firstPanel(task); jp < split.endPanel(task); jp++) {
                                int j = jb + jp * NRF;
                                int nr = Math.min(NRF, n - j);
                                for (int ir = 0; ir < mc; ir += MR) {
                                    int mr = Math.min(MR, mc - ir);
                                    kernel(kc, ap, aBase + ir * kc, bp, jp * kc * NRF, tile);
                                    store(tile, c, n, i0 + ir, j, mr, nr, al, be);
                                }
                            }
                        }
                    }
                });
            }
        }
    }

    /** FP32 twin of {@link #packB(double[], int, boolean, int, int, int, int, double[], int, int)}. */
    private static void packB(float[] b, int ldb, boolean trans, int p0, int kc, int j0, int nc, float[] bp,
            int fromPanel, int toPanel) {
        for (int jp = fromPanel; jp < toPanel; jp++) {
            int base = jp * kc * NRF;
            int jStart = j0 + jp * NRF;
            int width = Math.min(NRF, j0 + nc - jStart);
            for (int p = 0; p < kc; p++) {
                int row = base + p * NRF;
                if (!trans) {
                    System.arraycopy(b, (p0 + p) * ldb + jStart, bp, row, width);
                }
                for (int jj = width; jj < NRF; jj++) {
                    bp[row + jj] = 0.0f;
                }
            }
            if (trans) {
                // op(b) column j is row j of b: read each of the panel's rows of b whole, write strided.
                for (int jj = 0; jj < width; jj++) {
                    int src = (jStart + jj) * ldb + p0;
                    for (int p = 0; p < kc; p++) {
                        bp[base + p * NRF + jj] = b[src + p];
                    }
                }
            }
        }
    }

    /** FP32 twin of {@link #packAll(Parallel, double[], int, boolean, int, int, int)}. */
    private float[] packAllF(Parallel par, float[] a, int lda, boolean trans, int m, int p0, int kc) {
        int size = (m + MC - 1) / MC * MC * kc;
        if (sharedAf.length < size) {
            sharedAf = new float[size];
        }
        float[] ap = sharedAf;
        packAll(par, m, kc, (i0, mc, at) -> packA(a, lda, trans, i0, mc, p0, kc, ap, at));
        return ap;
    }

    /** FP32 twin of {@link #packA(double[], int, boolean, int, int, int, int, double[], int)}. */
    private static void packA(float[] a, int lda, boolean trans, int i0, int mc, int p0, int kc, float[] ap,
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
                        ap[dst + ii] = 0.0f;
                    }
                }
                continue;
            }
            for (int ii = 0; ii < MR; ii++) {
                if (ii >= rows) {
                    for (int p = 0; p < kc; p++) {
                        ap[base + p * MR + ii] = 0.0f;
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

    /** FP32 twin of the double micro-kernel: MR x NRF, 12 accumulator vectors. */
    private static void kernel(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] tile) {
        int l = FS.length();
        FloatVector c00 = FloatVector.zero(FS);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        for (int p = 0; p < kc; p++) {
            int bi = bOff + p * NRF;
            FloatVector b0 = FloatVector.fromArray(FS, bp, bi);
            FloatVector b1 = FloatVector.fromArray(FS, bp, bi + l);
            int ai = aOff + p * MR;
            FloatVector a = FloatVector.broadcast(FS, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(FS, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(FS, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(FS, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(FS, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(FS, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, l);
        c10.intoArray(tile, NRF);
        c11.intoArray(tile, NRF + l);
        c20.intoArray(tile, 2 * NRF);
        c21.intoArray(tile, 2 * NRF + l);
        c30.intoArray(tile, 3 * NRF);
        c31.intoArray(tile, 3 * NRF + l);
        c40.intoArray(tile, 4 * NRF);
        c41.intoArray(tile, 4 * NRF + l);
        c50.intoArray(tile, 5 * NRF);
        c51.intoArray(tile, 5 * NRF + l);
    }

    /** FP32 twin of the double tile store. */
    private static void store(float[] tile, float[] c, int ldc, int i, int j, int mr, int nr, float alpha, float beta) {
        if (nr == NRF) { // a whole panel wide: a vector at a time
            for (int r = 0; r < mr; r++) {
                for (int v = 0; v < NRF; v += FS.length()) {
                    int at = (i + r) * ldc + j + v;
                    FloatVector t = FloatVector.fromArray(FS, tile, r * NRF + v).mul(alpha);
                    if (beta != 0.0f) {
                        t = FloatVector.fromArray(FS, c, at).mul(beta).add(t);
                    }
                    t.intoArray(c, at);
                }
            }
            return;
        }
        for (int r = 0; r < mr; r++) {
            int row = (i + r) * ldc + j;
            int t = r * NRF;
            if (beta == 0.0f) {
                for (int jj = 0; jj < nr; jj++) {
                    c[row + jj] = alpha * tile[t + jj];
                }
            } else if (beta == 1.0f) {
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

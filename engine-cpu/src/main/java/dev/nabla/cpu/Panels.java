package dev.nabla.cpu;

/**
 * The blocking of the packed-panel products {@link VectorGemmFp64} and {@link VectorGemmFp32}, the
 * same in both precisions, and how one packed block of {@code c} is shared among threads. Plain
 * Java: it needs no Vector API.
 */
final class Panels {
    /** Rows of a micro-tile. */
    static final int MR = 6;
    /** Depth of a packed block: KC rows of op(b), KC columns of op(a). */
    static final int KC = 256;
    /** Rows of op(a) packed at once (a multiple of MR), one thread's share of a block. */
    static final int MC = 96;
    /** Columns of op(b) packed at once. */
    static final int NC = 1024;
    /** Elements packed per task at least: less is not worth a thread. */
    static final int PACK_GRAIN = 1 << 14;

    private Panels() {}

    /** Whether panels pay for themselves: enough work, and {@code n} and {@code k} not tiny. */
    static boolean worthIt(int m, int n, int k) {
        return (long) m * n * k >= 1L << 15 && n >= 8 && k >= 8 && m >= 2;
    }

    /** Depth of the packed blocks: {@code k} in equal blocks of at most {@value #KC}, so none is a thin remainder. */
    static int depth(int k) {
        int blocks = (k + KC - 1) / KC;
        return (k + blocks - 1) / blocks;
    }

    /**
     * How one packed block of {@code c} is shared among threads: by rows when there are enough of
     * them, in tasks of at most {@value #MC} rows whose sizes differ by one micro-tile at most, so
     * that every thread gets the same work; else (few rows, as in a layer's weight gradient) by
     * groups of column panels, the few rows then packed once and shared. Rows and panels only
     * change who computes an element, never the order of its sums. One instance is planned anew for
     * each block, so that a product allocates nothing.
     */
    static final class Split {
        private boolean byRows;
        private int tasks;
        private int panels;
        private int grain;
        private int m;

        /** Plans the split of {@code m} rows and {@code panels} panels of a {@code kc x nc} block among {@code threads}. */
        void plan(int threads, int m, int panels, int kc, int nc) {
            int rowBlocks = (m + MC - 1) / MC;
            boolean small = (long) m * kc * nc < 1L << 17;
            byRows = rowBlocks >= 2 * threads || panels < 2;
            if (byRows) {
                int tiles = (m + MR - 1) / MR;
                int perThread = (tiles + threads - 1) / threads;
                tasks = threads * ((perThread + MC / MR - 1) / (MC / MR));
                tasks = Math.min(tasks, tiles);
            } else {
                tasks = Math.min(panels, 2 * threads);
            }
            this.panels = panels;
            this.m = m;
            grain = small ? tasks : 1;
        }

        /** Whether each task has its own rows (and packs them), or all rows and its own panels. */
        boolean byRows() {
            return byRows;
        }

        int tasks() {
            return tasks;
        }

        /** Tasks per range handed to a thread: all of them when the block is too small to share. */
        int grain() {
            return grain;
        }

        /** The first row of {@code c} of a task: a multiple of MR, or 0 when split by panels (every task has all rows). */
        int firstRow(int task) {
            return byRows ? tileBoundary(task) : 0;
        }

        int endRow(int task) {
            return byRows ? Math.min(m, tileBoundary(task + 1)) : m;
        }

        private int tileBoundary(int task) {
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
}

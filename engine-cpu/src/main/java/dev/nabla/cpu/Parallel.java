package dev.nabla.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Splits a loop over {@code [0, n)} into contiguous ranges run on the backend's own threads.
 * Work below the grain runs inline on the caller's thread. Each range writes its own part of the
 * output, so results never depend on the number of threads.
 */
final class Parallel implements AutoCloseable {
    /** A loop body over {@code [from, to)}. */
    interface Range {
        void run(int from, int to);
    }

    private final ForkJoinPool pool;
    private final int threads;

    Parallel(int threads) {
        this.threads = threads;
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)}, in ranges of at least {@code grain} items when the
     * work is worth splitting.
     */
    void forRange(int n, int grain, Range body) {
        int chunks = pool == null ? 1 : (int) Math.min(threads, Math.max(1, (long) n / Math.max(1, grain)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            tasks.add(pool.submit(() -> body.run(from, to)));
        }
        body.run(0, (int) ((long) n / chunks));
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}

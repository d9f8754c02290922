package dev.nabla.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a loop over {@code [0, n)} into contiguous ranges run on the backend's own threads.
 * Work below the grain runs inline on the caller's thread. Each range writes its own part of the
 * output, so results never depend on the number of threads.
 *
 * <p>A training step hands out some sixty short loops, each a few hundred microseconds; waking a
 * parked thread costs tens of microseconds on a virtual machine (measured: 45 us a loop through a
 * {@code ForkJoinPool} on a 2-core cloud VM). So the workers spin, with {@link Thread#onSpinWait},
 * for {@value #SPIN_NANOS} ns after each range before they park, and the caller spins as long for
 * them to finish: loops that follow one another never touch the scheduler. Idle, the workers park.
 *
 * <p>One loop runs at a time: a loop started while another is running (from a range itself, or
 * from another thread) runs inline on its caller.
 */
final class Parallel implements AutoCloseable {
    /** A loop body over {@code [from, to)}. */
    interface Range {
        void run(int from, int to);
    }

    /** How long a worker waits for the next range, or the caller for the workers, before parking. */
    static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile boolean closed;

    Parallel(int threads) {
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(this, i + 1);
            workers[i].start();
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)}, in ranges of at least {@code grain} items when the
     * work is worth splitting.
     */
    void forRange(int n, int grain, Range body) {
        int chunks = (int) Math.min(threads, Math.max(1, (long) n / Math.max(1, grain)));
        if (chunks <= 1 || closed || !busy.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            Thread caller = Thread.currentThread();
            for (int c = 1; c < chunks; c++) {
                workers[c - 1].post(body, (int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks), caller);
            }
            Throwable failure = null;
            try {
                body.run(0, (int) ((long) n / chunks));
            } catch (Throwable t) {
                failure = t;
            }
            for (int c = 1; c < chunks; c++) {
                Throwable t = workers[c - 1].await();
                if (failure == null) {
                    failure = t;
                } else if (t != null) {
                    failure.addSuppressed(t);
                }
            }
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new IllegalStateException(failure);
            }
        } finally {
            busy.set(false);
        }
    }

    /** The backend's own threads, {@code nabla-cpu-1 ..}: the caller is the loops' first thread. */
    Thread[] workerThreads() {
        return workers.clone();
    }

    /** How many of the backend's threads are still alive (none some time after {@link #close}). */
    int liveWorkers() {
        int alive = 0;
        for (Worker w : workers) {
            alive += w.isAlive() ? 1 : 0;
        }
        return alive;
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    /** One of the backend's threads: runs the ranges posted to it, one at a time. */
    private static final class Worker extends Thread {
        private final Parallel owner;
        /** Incremented by the caller to hand over a range; {@link #done} catches up when it is finished. */
        private volatile long posted;

        private volatile long done;
        /** Set while the worker is parked, so that {@link #post} knows to wake it. */
        private volatile boolean parked;

        private Range body;
        private int from;
        private int to;
        private Thread caller;
        private Throwable failure;

        Worker(Parallel owner, int index) {
            super("nabla-cpu-" + index);
            this.owner = owner;
            setDaemon(true);
        }

        void post(Range body, int from, int to, Thread caller) {
            this.body = body;
            this.from = from;
            this.to = to;
            this.caller = caller;
            this.failure = null;
            posted = posted + 1; // the volatile write publishes the fields above
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        /** Waits for the posted range; its failure, or null. */
        Throwable await() {
            long want = posted;
            long start = System.nanoTime();
            while (done != want) {
                if (System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 50_000);
                }
            }
            Throwable t = failure;
            body = null;
            caller = null;
            return t;
        }

        @Override
        public void run() {
            long seen = 0;
            while (!owner.closed) {
                long start = System.nanoTime();
                while (posted == seen && !owner.closed) {
                    if (System.nanoTime() - start < SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (posted == seen && !owner.closed) {
                            LockSupport.park(this);
                        }
                        parked = false;
                    }
                }
                if (owner.closed) {
                    return;
                }
                seen = posted;
                Thread waiting = caller;
                try {
                    body.run(from, to);
                } catch (Throwable t) {
                    failure = t;
                }
                done = seen;
                LockSupport.unpark(waiting);
            }
        }
    }
}

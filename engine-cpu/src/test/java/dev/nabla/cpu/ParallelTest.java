package dev.nabla.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The backend's loop splitter: coverage, failures, nesting, concurrent callers, shutdown. */
class ParallelTest {

    @Test
    void everyIndexRunsOnceWhateverTheThreadCount() {
        for (int threads = 1; threads <= 5; threads++) {
            try (Parallel par = new Parallel(threads)) {
                for (int n : new int[] {0, 1, 2, 7, 1000}) {
                    int[] hits = new int[n];
                    for (int rep = 0; rep < 200; rep++) { // many loops in a row: the spinning hand-over
                        par.forRange(n, 1, (from, to) -> {
                            for (int i = from; i < to; i++) {
                                hits[i]++;
                            }
                        });
                    }
                    int[] want = new int[n];
                    Arrays.fill(want, 200);
                    assertArrayEquals(want, hits, threads + " threads, n = " + n);
                }
            }
        }
    }

    @Test
    void aFailingRangeFailsTheLoopAndTheNextLoopStillRuns() {
        try (Parallel par = new Parallel(2)) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> par.forRange(2, 1, (from, to) -> {
                        if (from == 1) { // the worker's range
                            throw new IllegalStateException("range " + from);
                        }
                    }));
            assertEquals("range 1", e.getMessage());
            AtomicInteger sum = new AtomicInteger();
            par.forRange(10, 1, (from, to) -> sum.addAndGet(to - from));
            assertEquals(10, sum.get());
        }
    }

    @Test
    void aLoopInsideARangeRunsInline() {
        try (Parallel par = new Parallel(2)) {
            int[] hits = new int[100];
            par.forRange(10, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    int row = i;
                    par.forRange(10, 1, (f, t) -> {
                        for (int j = f; j < t; j++) {
                            hits[row * 10 + j]++;
                        }
                    });
                }
            });
            assertTrue(Arrays.stream(hits).allMatch(h -> h == 1));
        }
    }

    @Test
    void twoCallersAtOnceBothComplete() throws InterruptedException {
        try (Parallel par = new Parallel(2)) {
            long[] sums = new long[2];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            Thread[] callers = new Thread[2];
            for (int c = 0; c < 2; c++) {
                int me = c;
                callers[c] = new Thread(() -> {
                    try {
                        start.await();
                        for (int rep = 0; rep < 2000; rep++) {
                            long[] part = new long[2];
                            par.forRange(1000, 1, (from, to) -> part[from == 0 ? 0 : 1] += to - from);
                            sums[me] += part[0] + part[1];
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                callers[c].start();
            }
            start.countDown();
            for (Thread t : callers) {
                t.join(60_000);
            }
            assertEquals(null, failure.get());
            assertArrayEquals(new long[] {2_000_000, 2_000_000}, sums);
        }
    }

    @Test
    void closeStopsTheWorkers() throws InterruptedException {
        Parallel par = new Parallel(3);
        par.forRange(3, 1, (from, to) -> {});
        assertEquals(2, par.liveWorkers());
        par.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (par.liveWorkers() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, par.liveWorkers());
        AtomicInteger ran = new AtomicInteger();
        par.forRange(3, 1, (from, to) -> ran.addAndGet(to - from)); // after close: inline
        assertEquals(3, ran.get());
    }
}

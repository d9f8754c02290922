package dev.nabla.conformance;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts the bytes a step allocates on the Java heap, on the calling thread and on the threads it
 * hands work to (a backend's workers), with the JVM's per-thread counters
 * ({@link com.sun.management.ThreadMXBean}), which see every allocation, in a thread-local buffer
 * or not. Reading the counters allocates nothing inside the measured window: one thread at a time
 * (the array form allocates its answer), into arrays made beforehand; the others before the caller
 * at the start and after it at the end.
 *
 * <p>A step is measured in rounds, until a round allocates nothing (see {@link #leastUntilZero}):
 * code the JIT has not compiled yet allocates where compiled code does not (the Vector API boxes
 * its vectors in the interpreter), and a method it deoptimizes re-creates what it had optimized
 * away; neither repeats in every round once the step is compiled, while an allocation the step
 * itself makes does, however long it runs.
 */
public final class AllocationMeter {
    private static final com.sun.management.ThreadMXBean BEAN =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final Thread[] others;
    private final long[] before;
    private final long[] after;
    private long callerBefore;
    private long callerAfter;

    /** A meter of the calling thread and of {@code others}. */
    public AllocationMeter(List<Thread> others) {
        this.others = others.toArray(new Thread[0]);
        this.before = new long[this.others.length];
        this.after = new long[this.others.length];
    }

    /** Whether this JVM counts allocated bytes per thread (and counting is on). */
    public static boolean supported() {
        if (!BEAN.isThreadAllocatedMemorySupported()) {
            return false;
        }
        BEAN.setThreadAllocatedMemoryEnabled(true);
        return true;
    }

    /** The live threads whose names start with {@code prefix}, such as a backend's {@code nabla-cpu-}. */
    public static List<Thread> threadsNamed(String prefix) {
        List<Thread> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                found.add(t);
            }
        }
        return found;
    }

    /**
     * What one round allocated.
     *
     * @param caller bytes on the calling thread
     * @param others bytes on each of the other threads, in the meter's order
     * @param steps the steps the round ran
     */
    public record Round(long caller, long[] others, int steps, String[] names) {
        public long total() {
            long sum = caller;
            for (long b : others) {
                sum += b;
            }
            return sum;
        }

        /** Bytes per step, all threads together. */
        public long perStep() {
            return total() / steps;
        }

        /** {@code "caller 0 bytes a step, nabla-cpu-1 0"}. */
        public String describe() {
            StringBuilder sb = new StringBuilder("caller " + caller / steps + " bytes a step");
            for (int i = 0; i < others.length; i++) {
                sb.append(", ").append(names[i]).append(' ').append(others[i] / steps);
            }
            return sb.toString();
        }
    }

    /** Runs {@code step} {@code steps} times and says what that allocated. */
    public Round round(Runnable step, int steps) {
        for (int i = 0; i < others.length; i++) {
            before[i] = BEAN.getThreadAllocatedBytes(others[i].getId());
        }
        callerBefore = BEAN.getCurrentThreadAllocatedBytes();
        for (int s = 0; s < steps; s++) {
            step.run();
        }
        callerAfter = BEAN.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < others.length; i++) {
            after[i] = BEAN.getThreadAllocatedBytes(others[i].getId());
        }
        long[] bytes = new long[others.length];
        String[] names = new String[others.length];
        for (int i = 0; i < others.length; i++) {
            bytes[i] = after[i] - before[i];
            names[i] = others[i].getName();
        }
        return new Round(callerAfter - callerBefore, bytes, steps, names);
    }

    /**
     * Rounds of {@code steps} steps until one allocates nothing, or {@code patienceNanos} have
     * passed (at least three rounds); the round that allocated least. With no patience, the least
     * of three rounds.
     */
    public Round leastUntilZero(Runnable step, int steps, long patienceNanos) {
        Round least = null;
        long start = System.nanoTime();
        for (int r = 0; r < 3 || (least.total() > 0 && System.nanoTime() - start < patienceNanos); r++) {
            Round round = round(step, steps);
            if (least == null || round.total() < least.total()) {
                least = round;
            }
            if (least.total() == 0) {
                break;
            }
        }
        return least;
    }
}

package dev.nabla.cli.bench;

import java.util.function.IntToDoubleFunction;

/**
 * How {@code engine bench} times a step: a first step (which may include the JIT's compiling, or a
 * GPU's module load), then steps until a second has passed, to warm up; then, from the mean of
 * those later warm-up steps, enough steps for each timed repeat to last {@code minSeconds}, repeated
 * {@code repeats} times within {@code maxSeconds} (at least twice). Between alternating runs of
 * Nabla and a peer, a pause ({@link #settle}).
 *
 * @param repeats timed repeats wanted
 * @param minSeconds least time one repeat runs
 * @param maxSeconds time budget of one measurement
 */
record MeasuringProtocol(int repeats, double minSeconds, double maxSeconds) {
    /** The pause before each alternating run. */
    static final long SETTLE_MILLIS = 300;

    /**
     * Runs steps to warm up and returns the mean seconds of the steps after the first, from which
     * the timed runs are sized: {@code time.applyAsDouble(n)} runs {@code n} steps and returns
     * their seconds. Sizing from one early step made repeats a few steps long, still warming up,
     * whenever that step was slow.
     */
    double warmUp(IntToDoubleFunction time) {
        double first = time.applyAsDouble(1);
        double total = 0;
        int steps = 0;
        while (steps < 1 || (total < 1.0 && first + total < maxSeconds / 3)) {
            total += time.applyAsDouble(1);
            steps++;
        }
        return total / steps;
    }

    /** Steps per timed repeat for steps of {@code stepSeconds}. */
    int stepsPerRepeat(double stepSeconds) {
        return Math.max(1, (int) Math.ceil(minSeconds / stepSeconds));
    }

    /** Repeats that fit the budget, at least two (or {@code repeats} when that is fewer). */
    int repeatsFor(int steps, double stepSeconds) {
        return Math.max(Math.min(repeats, 2), Math.min(repeats, (int) (maxSeconds / (steps * stepSeconds))));
    }

    /**
     * A pause between alternating runs: a BLAS library's worker threads keep spinning for a while
     * after a call returns (OpenBLAS's for about a tenth of a second) and would take the cores from
     * the run that follows.
     */
    static void settle() {
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

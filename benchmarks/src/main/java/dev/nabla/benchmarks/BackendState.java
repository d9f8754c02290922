package dev.nabla.benchmarks;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Precision;
import dev.nabla.backend.ProbeReport;
import java.util.SplittableRandom;

/** Opening the backend a benchmark names, or skipping the benchmark (with the reason) where it cannot run. */
final class BackendState {
    private BackendState() {}

    /**
     * The named backend in the given precision. A backend that cannot run here ends the trial with
     * an exception whose message is the probe's reason, which JMH prints; the other trials go on.
     */
    static Backend open(String backend, String precision) {
        for (ProbeReport r : Backends.probeAll()) {
            if (r.backend().equals(backend) && !r.usable()) {
                throw new IllegalStateException("skipped: backend " + backend + " cannot run here: " + r.reason());
            }
        }
        return Backends.select(backend, Precision.parse(precision)).backend();
    }

    /** A {@code rows x cols} matrix on the backend, its elements uniform in {@code [-bound, bound)}. */
    static Matrix random(Backend be, int rows, int cols, double bound, SplittableRandom rng) {
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextDouble(-bound, bound);
        }
        Matrix x = be.allocate(rows, cols);
        be.upload(v, 0, x);
        return x;
    }
}

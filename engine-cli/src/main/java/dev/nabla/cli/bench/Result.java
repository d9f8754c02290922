package dev.nabla.cli.bench;

import dev.nabla.backend.Precision;
import dev.nabla.benchmark.Workload;

/**
 * Nabla's measurement of one workload, backend and precision: samples per second over the
 * repeats, and the step's matrix products timed alone (NaN where the backend fuses the network).
 */
record Result(
        Workload workload,
        String backend,
        Precision precision,
        Stats samples,
        int microBatch,
        int stepsPerRepeat,
        String device,
        double productsSamplesPerSecond) {
    double gflops() {
        return samples.median() * workload.flopsPerSample() / 1e9;
    }

    /** The step's time over its matrix products' time alone; NaN where not measured. */
    double stepOverProducts() {
        return productsSamplesPerSecond / samples.median();
    }

    /** GFLOP/s of the matrix products alone. */
    double productsGflops() {
        return productsSamplesPerSecond * workload.flopsPerSample() / 1e9;
    }
}

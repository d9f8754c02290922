package dev.nabla.cli.bench;

/** A peer's measurement beside Nabla's; {@code samples} is null when it was not timed (the note says why). */
record PeerResult(Result ours, String engine, Stats samples, String note, double productsSamplesPerSecond) {
    /** GFLOP/s of the peer's matrix products alone; NaN where not measured. */
    double productsGflops() {
        return productsSamplesPerSecond * ours.workload().flopsPerSample() / 1e9;
    }

    double ratio() {
        return ours.samples().median() / samples.median();
    }

    /** The ratio's spread: the two relative spreads added. */
    double ratioSpread() {
        return (Double.isNaN(ours.samples().spread()) ? 0 : ours.samples().spread())
                + (Double.isNaN(samples.spread()) ? 0 : samples.spread());
    }
}

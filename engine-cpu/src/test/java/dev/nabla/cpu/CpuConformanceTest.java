package dev.nabla.cpu;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.ConformanceSuite;

/** The CPU backend runs the whole conformance suite, found through the service loader as users find it. */
class CpuConformanceTest extends ConformanceSuite {
    @Override
    protected Backend open(Precision precision) {
        return Backends.select("cpu", precision).backend();
    }
}

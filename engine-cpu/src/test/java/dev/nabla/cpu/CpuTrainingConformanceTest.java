package dev.nabla.cpu;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.TrainingConformance;

/** Training with the classification losses and the optimizers on the CPU backend. */
class CpuTrainingConformanceTest extends TrainingConformance {
    @Override
    protected Backend open(Precision precision) {
        return Backends.select("cpu", precision).backend();
    }
}

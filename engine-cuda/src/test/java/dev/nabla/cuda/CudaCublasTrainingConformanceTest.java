package dev.nabla.cuda;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.TrainingConformance;
import org.junit.jupiter.api.BeforeAll;

/** The classification losses and the optimizers on the CUDA backend, cuBLAS serving matrix products. */
class CudaCublasTrainingConformanceTest extends TrainingConformance {
    @BeforeAll
    static void requireGpuAndCublas() {
        Gpu.requireCublas();
    }

    @Override
    protected Backend open(Precision precision) {
        return CudaBackendProvider.open(precision, GemmChoice.CUBLAS);
    }
}

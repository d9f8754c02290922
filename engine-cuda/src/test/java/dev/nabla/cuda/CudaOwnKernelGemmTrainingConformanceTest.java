package dev.nabla.cuda;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.TrainingConformance;
import org.junit.jupiter.api.BeforeAll;

/** The classification losses and the optimizers on the CUDA backend, Nabla's own GEMM kernel serving matrix products. */
class CudaOwnKernelGemmTrainingConformanceTest extends TrainingConformance {
    @BeforeAll
    static void requireGpu() {
        Gpu.require();
    }

    @Override
    protected Backend open(Precision precision) {
        return CudaBackendProvider.open(precision, GemmChoice.KERNELS);
    }
}

package dev.nabla.cuda;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.ConformanceSuite;
import org.junit.jupiter.api.BeforeAll;

/** The whole conformance suite on the CUDA backend with Nabla's own GEMM kernel serving matrix products. */
class CudaOwnKernelGemmConformanceTest extends ConformanceSuite {
    @BeforeAll
    static void requireGpu() {
        Gpu.require();
    }

    @Override
    protected Backend open(Precision precision) {
        return CudaBackendProvider.open(precision, GemmChoice.KERNELS);
    }
}

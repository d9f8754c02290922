package dev.nabla.cuda;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.ConformanceSuite;
import org.junit.jupiter.api.BeforeAll;

/** The whole conformance suite on the CUDA backend with cuBLAS serving matrix products. */
class CudaCublasConformanceTest extends ConformanceSuite {
    @BeforeAll
    static void requireGpuAndCublas() {
        Gpu.requireCublas();
    }

    @Override
    protected Backend open(Precision precision) {
        return CudaBackendProvider.open(precision, GemmChoice.CUBLAS);
    }
}

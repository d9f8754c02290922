package dev.nabla.cpu;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.ConformanceSuite;

/** The conformance suite on the CPU backend with its plain-loop GEMM, what runs where the Vector API is not enabled. */
class CpuPlainGemmConformanceTest extends ConformanceSuite {
    @Override
    protected Backend open(Precision precision) {
        return new CpuBackend(precision, CpuBackendProvider.threads(), Gemm.KERNEL);
    }
}

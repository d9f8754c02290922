package dev.nabla.cpu;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.ConformanceSuite;

/** The conformance suite on the CPU backend with its plain loops (GEMM and activations), what runs where the Vector API is not enabled. */
class CpuPlainKernelsConformanceTest extends ConformanceSuite {
    @Override
    protected Backend open(Precision precision) {
        return new CpuBackend(precision, CpuBackendProvider.threads(), CpuKernels.plain());
    }
}

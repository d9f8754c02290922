package dev.nabla.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Test helpers for the tests that need a GPU: they skip, saying why, where there is none. */
final class Gpu {
    private Gpu() {
    }

    /** Skips the calling test (or class, from a {@code @BeforeAll}) unless the CUDA backend can run here. */
    static void require() {
        CudaRuntime rt = CudaRuntime.get();
        if (!rt.usable()) {
            System.out.println("[cuda tests skipped] no usable CUDA GPU: " + rt.report.reason());
        }
        assumeTrue(rt.usable(), () -> "no usable CUDA GPU: " + rt.report.reason());
    }

    /** Skips unless cuBLAS can be loaded too. */
    static void requireCublas() {
        require();
        CudaRuntime rt = CudaRuntime.get();
        if (rt.cublasProblem != null) {
            System.out.println("[cuBLAS tests skipped] " + rt.cublasProblem);
        }
        assumeTrue(rt.cublasProblem == null, () -> "cuBLAS cannot be loaded: " + rt.cublasProblem);
    }
}

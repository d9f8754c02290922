package dev.nabla.cuda;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Test helpers for the tests that need a GPU: they skip, saying why, where there is none. */
final class Gpu {
    private Gpu() {}

    /** Skips the calling test (or class, from a {@code @BeforeAll}) unless the CUDA backend can run here. */
    static void require() {
        CudaRuntime rt = CudaRuntime.get();
        if (!rt.usable()) {
            System.out.println("[cuda tests skipped] no usable CUDA GPU: " + rt.report.reason());
        }
        assumeTrue(rt.usable(), () -> "no usable CUDA GPU: " + rt.report.reason());
    }

    /** Whether the device is the emulated one ({@link EmulatedDevice}), whose kernels run one CUDA thread at a time. */
    static boolean emulated() {
        CudaRuntime rt = CudaRuntime.get();
        return rt.usable() && rt.deviceName.startsWith("Nabla emulated device");
    }

    /** Skips the calling test on the emulated device, where {@code what} would take minutes. */
    static void requireRealDevice(String what) {
        if (emulated()) {
            System.out.println("[emulated device] skipped: " + what);
        }
        assumeFalse(emulated(), () -> what + " takes minutes on the emulated device; it runs on a GPU");
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

package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Precision;
import dev.nabla.benchmark.Workload;
import dev.nabla.data.Dataset;
import dev.nabla.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Device memory: everything a backend holds is freed on close, and running out is a clear error. */
class CudaLifecycleTest {
    @BeforeAll
    static void requireGpu() {
        Gpu.require();
    }

    @Test
    void openingAndClosingAThousandTimesLeavesFreeMemoryWhereItWas() {
        // Warm-up: the first open loads cuBLAS's and the driver's one-time state.
        exercise(GemmChoice.AUTO);
        long before = CudaBackend.freeDeviceMemory();
        for (int i = 0; i < 1000; i++) {
            exercise(i % 2 == 0 ? GemmChoice.AUTO : GemmChoice.KERNELS);
        }
        long after = CudaBackend.freeDeviceMemory();
        System.out.printf("[lifecycle] free device memory before %,d after %,d bytes%n", before, after);
        if (Gpu.emulated()) {
            // The emulated device counts exactly what the backend holds.
            assertEquals(before, after, "device memory lost");
            return;
        }
        // Each round allocates 6 MiB of matrices plus scratch and staging; a leak of any matrix would
        // cost at least 1000 x 2 MiB. 64 MiB of slack covers the driver's own bookkeeping.
        assertTrue(before - after < (64L << 20), "device memory lost: " + (before - after) + " bytes");
    }

    private static void exercise(GemmChoice path) {
        int n = Gpu.emulated() ? 32 : 512; // 512: 2 MiB each; the emulated device would take minutes for 1000 of those
        try (Backend be = CudaBackendProvider.open(Precision.FP64, path)) {
            Matrix a = be.allocate(n, n);
            Matrix b = be.allocate(n, n);
            Matrix c = be.allocate(n, n);
            be.upload(new double[n * n], 0, a);
            be.activationForward(Activation.SIGMOID, a, b);
            be.gemm(false, true, 1, a, b, 0, c);
            Matrix loss = be.allocate(1, 1);
            be.mseLoss(a, b, n, c, 0.0, loss);
            be.download(loss);
        }
    }

    @Test
    void runningOutOfDeviceMemoryNamesTheBytesAskedForAndFreeAndLosesNothing() {
        long before = CudaBackend.freeDeviceMemory();
        try (Backend be = CudaBackendProvider.open(Precision.FP64, GemmChoice.AUTO)) {
            DeviceMemoryException e = assertThrows(DeviceMemoryException.class, () -> {
                // 8 GiB at a time until the device says no (an 80 GB card after about ten).
                for (int i = 0; i < 1000; i++) {
                    be.allocate(1 << 20, 1 << 10);
                }
            });
            System.out.println("[lifecycle] " + e.getMessage());
            assertTrue(
                    e.getMessage().startsWith("out of GPU memory: a 1048576x1024 fp64 matrix needs 8.0 GiB"),
                    e.getMessage());
            assertEquals(8L << 30, e.requested());
            assertTrue(e.requested() > e.free(), e.getMessage());
            // The backend still works after the failed allocation.
            Matrix m = be.allocate(2, 2);
            be.upload(new double[] {1, 2, 3, 4}, 0, m);
            assertEquals(4.0, be.download(m)[3]);
        }
        long after = CudaBackend.freeDeviceMemory();
        assertTrue(
                before - after < (64L << 20), "closing freed the allocations: before " + before + ", after " + after);
    }

    @Test
    void trainingStepsAllocateNoDeviceMemory() {
        Workload w = Workload.MNIST;
        // The emulated device would take minutes for 200 steps of the whole batch; it counts memory exactly.
        int rows = Gpu.emulated() ? 16 : w.batch();
        int steps = Gpu.emulated() ? 20 : 200;
        Dataset data = new Dataset("zeros", rows, 784, 10, new double[rows * 784], new double[rows * 10]);
        try (Backend be = CudaBackendProvider.open(Precision.FP64, GemmChoice.AUTO);
                Trainer tr = new Trainer(be, w.network(1), rows)) {
            tr.step(data, null, 0, rows, 0.01); // the first step sizes the scratch memory,
            tr.step(data, null, 0, rows, 0.01); // the second records the step as a graph
            long before = CudaBackend.freeDeviceMemory();
            for (int s = 0; s < steps; s++) {
                tr.step(data, null, 0, rows, 0.01);
            }
            long after = CudaBackend.freeDeviceMemory();
            System.out.printf("[lifecycle] free device memory before %d steps %,d, after %,d%n", steps, before, after);
            assertEquals(before, after, "device memory allocated by training steps");
        }
    }
}

package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Recording;
import dev.nabla.benchmark.Workload;
import dev.nabla.data.Dataset;
import dev.nabla.train.ResidentBatch;
import dev.nabla.train.Trainer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Steps recorded as CUDA graphs: captured for real (not the operation-by-operation fallback), exact, and leak-free. */
class CudaGraphTest {
    @BeforeAll
    static void requireGpu() {
        Gpu.require();
    }

    @ParameterizedTest
    @EnumSource(
            value = GemmChoice.class,
            names = {"CUBLAS", "KERNELS"})
    void aRecordedStepIsOneGraphThatReplaysExactly(GemmChoice path) {
        requirePath(path);
        Workload w = Workload.MNIST;
        int rows = Gpu.emulated() ? 32 : w.batch(); // the emulated device would take a minute for the whole batch
        SplittableRandom rng = new SplittableRandom(3);
        Dataset data = new Dataset(
                "uniform",
                rows,
                784,
                10,
                rng.doubles(rows * 784L).toArray(),
                rng.doubles(rows * 10L).toArray());
        try (Backend be = CudaBackendProvider.open(Precision.FP32, path);
                Trainer direct = new Trainer(be, w.network(1), rows);
                Trainer kept = new Trainer(be, w.network(1), rows)) {
            ResidentBatch batch = kept.keep(data, 0, rows);
            long before = 0;
            for (int s = 0; s < 22; s++) {
                // A traced step runs operation by operation, never recorded: the reference.
                double expected = direct.traceStep(data.inputs(), data.targets(), 0, rows, 0.05)
                        .loss();
                kept.queueStep(batch, 0.05); // runs directly, then is recorded, then replayed
                assertEquals(expected, kept.lastLoss(), 0.0, "loss of step " + (s + 1));
                if (s == 1) {
                    before = CudaBackend.freeDeviceMemory(); // after the recording
                }
            }
            assertTrue(!be.description().contains("not recorded"), be.description());
            assertEquals(before, CudaBackend.freeDeviceMemory(), "device memory allocated by replays");
            for (int l = 0; l < 3; l++) {
                assertArrayEquals(
                        direct.network().layer(l).weights(),
                        kept.network().layer(l).weights(),
                        "layer " + (l + 1) + " after 22 steps");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = GemmChoice.class,
            names = {"CUBLAS", "KERNELS"})
    void recordingCapturesAGraphAndRefusesWhatCannotBeRecorded(GemmChoice path) {
        requirePath(path);
        try (Backend be = CudaBackendProvider.open(Precision.FP64, path)) {
            Matrix a = be.allocate(64, 64);
            Matrix c = be.allocate(64, 64);
            be.upload(new double[64 * 64], 0, a);
            be.upload(new double[64 * 64], 0, c);
            Recording r = be.record(() -> {
                be.activationForward(Activation.SIGMOID, a, a); // 0 -> 0.5
                be.gemm(false, false, 1.0, a, a, 0.0, c); // 64 x 0.25 = 16
            });
            GraphRecording g = assertInstanceOf(GraphRecording.class, r, be.description());
            System.out.println("[graph] " + path + ": " + g.nodes() + " operations in the recorded graph");
            assertEquals(0.0, be.download(a)[7], "recording runs nothing");
            r.replay();
            assertEquals(16.0, be.download(c)[5], "64 x 0.5 x 0.5, exact in binary");
            r.close();
            assertThrows(IllegalStateException.class, () -> be.record(() -> be.download(a)));
            be.download(c); // the stream works after the refused recording
        }
    }

    private static void requirePath(GemmChoice path) {
        if (path == GemmChoice.CUBLAS) {
            Gpu.requireCublas();
        }
    }
}

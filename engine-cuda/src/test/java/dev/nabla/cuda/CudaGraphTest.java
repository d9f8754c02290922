package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Recording;
import dev.nabla.benchmark.Workload;
import dev.nabla.data.Dataset;
import dev.nabla.train.ResidentBatch;
import dev.nabla.train.Trainer;
import java.util.List;
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

    /**
     * A step's loss, output softmax and optimizer updates recorded once, then replayed five times
     * with new gradients and new step scalars (learning rate, bias corrections) uploaded between
     * replays: the same values, bit for bit, as the same operations called directly with the same
     * uploads (a learning rate of 0.1 / step), for every optimizer rule, so the replays read the
     * scalars uploaded since, not those of the recording; no replay allocates device memory.
     */
    @ParameterizedTest
    @EnumSource(
            value = Precision.class,
            names = {"FP64", "FP32"})
    void optimizerUpdatesReplayWithTheScalarsUploadedBetweenReplays(Precision p) {
        List<Optimizer> rules = CudaLossAndOptimizerVersusCpuTest.RULES;
        int rows = 37;
        int cols = 5;
        SplittableRandom rng = new SplittableRandom(17);
        double[] w = rng.doubles(rows * cols, -1, 1).toArray();
        double[] z = CudaLossAndOptimizerVersusCpuTest.logits(rng, rows, cols);
        double[] t = CudaLossAndOptimizerVersusCpuTest.targets(rng, rows, cols, false);
        try (Backend be = CudaBackendProvider.open(p, GemmChoice.KERNELS)) {
            Step direct = new Step(be, rules, rows, cols, w, z, t);
            Step recorded = new Step(be, rules, rows, cols, w, z, t);
            direct.upload(1, rng.doubles(rows * cols, -1, 1).toArray());
            direct.run(); // the first step runs directly, sizing the reductions' scratch
            recorded.upload(1, direct.lastGrad);
            recorded.run();
            Recording r = be.record(recorded::run);
            GraphRecording g = assertInstanceOf(GraphRecording.class, r, be.description());
            System.out.println("[graph] " + p.id() + " loss, softmax and " + rules.size() + " optimizer updates: "
                    + g.nodes() + " operations in the recorded graph");
            long before = CudaBackend.freeDeviceMemory();
            for (int step = 2; step <= 6; step++) {
                double[] grad = rng.doubles(rows * cols, -1, 1).toArray();
                direct.upload(step, grad);
                direct.run();
                recorded.upload(step, grad);
                r.replay();
            }
            assertEquals(before, CudaBackend.freeDeviceMemory(), "device memory allocated by replays");
            for (int k = 0; k < rules.size(); k++) {
                String what = p.id() + " " + rules.get(k).describe() + " after 6 steps, 5 of them replayed";
                assertArrayEquals(be.download(direct.params[k]), be.download(recorded.params[k]), what);
                for (int s = 0; s < rules.get(k).states(); s++) {
                    assertArrayEquals(
                            be.download(direct.states[k][s]), be.download(recorded.states[k][s]), what + " state");
                }
            }
            assertArrayEquals(be.download(direct.loss), be.download(recorded.loss), "loss and rows right");
            assertArrayEquals(be.download(direct.delta), be.download(recorded.delta), "delta");
            assertArrayEquals(be.download(direct.output), be.download(recorded.output), "softmax");
            r.close();
        }
    }

    /** One step's operations on their own matrices: a loss, the output's softmax, and each rule's update of a parameter. */
    private static final class Step {
        final Backend be;
        final List<Optimizer> rules;
        final Matrix z;
        final Matrix t;
        final Matrix delta;
        final Matrix loss;
        final Matrix output;
        final Matrix grad;
        final Matrix[] scalars;
        final Matrix[] params;
        final Matrix[][] states;
        double[] lastGrad;

        Step(Backend be, List<Optimizer> rules, int rows, int cols, double[] w, double[] zv, double[] tv) {
            this.be = be;
            this.rules = rules;
            z = be.allocate(rows, cols);
            be.upload(zv, 0, z);
            t = be.allocate(rows, cols);
            be.upload(tv, 0, t);
            delta = be.allocate(rows, cols);
            loss = be.allocate(1, 2);
            be.upload(new double[2], 0, loss); // the steps add to it (beta 1)
            output = be.allocate(rows, cols);
            grad = be.allocate(rows, cols);
            scalars = new Matrix[rules.size()];
            params = new Matrix[rules.size()];
            states = new Matrix[rules.size()][2];
            for (int k = 0; k < rules.size(); k++) {
                scalars[k] = be.allocate(1, Optimizer.STEP_SCALARS);
                params[k] = be.allocate(rows, cols);
                be.upload(w, 0, params[k]);
                for (int s = 0; s < rules.get(k).states(); s++) {
                    states[k][s] = be.allocate(rows, cols);
                    be.upload(new double[rows * cols], 0, states[k][s]);
                }
            }
        }

        /** The step's gradient and, for each rule, its scalars for step {@code step} (learning rate 0.1 / step). */
        void upload(int step, double[] g) {
            lastGrad = g;
            be.upload(g, 0, grad);
            double[] s = new double[Optimizer.STEP_SCALARS];
            for (int k = 0; k < rules.size(); k++) {
                rules.get(k).stepScalars(0.1 / step, step, s);
                be.upload(s, 0, scalars[k]);
            }
        }

        /** Queues the step: only operations that a recording may hold. */
        void run() {
            be.logitLoss(LogitLoss.SOFTMAX_CROSS_ENTROPY, z, t, 40, delta, 1.0, loss);
            be.activationForward(Activation.SOFTMAX, z, output);
            for (int k = 0; k < rules.size(); k++) {
                be.optimizerUpdate(rules.get(k), scalars[k], grad, params[k], states[k][0], states[k][1]);
            }
        }
    }

    private static void requirePath(GemmChoice path) {
        if (path == GemmChoice.CUBLAS) {
            Gpu.requireCublas();
        }
    }
}

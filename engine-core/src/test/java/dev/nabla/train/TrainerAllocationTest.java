package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.AllocationMeter;
import dev.nabla.data.Dataset;
import dev.nabla.data.HeldOutSplit;
import dev.nabla.data.Samples;
import dev.nabla.model.Network;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trainer's own share of a step allocates nothing on the Java heap once each batch size has
 * been seen: measured on a backend whose operations do nothing, so that every byte counted is the
 * trainer's (the CPU backend's own test measures a real backend under the trainer).
 */
class TrainerAllocationTest {
    /** The trainer's step runs on the calling thread alone. */
    private static final AllocationMeter METER = new AllocationMeter(List.of());

    /** A backend that computes nothing, and fuses networks or not. */
    private static final class NothingBackend extends IdleBackend {
        private final boolean fuses;

        NothingBackend(boolean fuses) {
            super(Precision.FP64);
            this.fuses = fuses;
        }

        @Override
        public boolean fusesNetwork(int[] widths) {
            return fuses;
        }

        @Override
        protected void doNetworkGradients(
                List<LayerParameters> layers, Matrix x, Matrix t, int count, double beta, Matrix loss) {}
    }

    /** Where the deliberate allocation goes, so that the JIT cannot remove it. */
    static volatile Object sink;

    private static Dataset data(int n, int in, int out) {
        double[] x = new double[n * in];
        double[] t = new double[n * out];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 7) / 7.0;
        }
        return new Dataset("d", n, in, out, x, t);
    }

    @Test
    void theMeasurementSeesAnAllocationAndNothingElse() {
        assertTrue(AllocationMeter.supported());
        assertTrue(METER.round(() -> sink = new long[64], 100).perStep() >= 64 * 8, "a 512-byte array per run");
        assertEquals(0, METER.leastUntilZero(() -> {}, 100, 0).total(), "an empty step");
    }

    /**
     * A batch of one micro-batch (recorded and replayed), a split batch, a shuffled one, a resident
     * one, and batches of the samples left to train on when some are held out at random (rows
     * picked by index), in order and shuffled.
     */
    @ParameterizedTest(name = "fused network: {0}")
    @ValueSource(booleans = {false, true})
    void stepsAllocateNothingOnceEachBatchSizeWasSeen(boolean fused) {
        Network net = Network.builder(6)
                .dense(5, Activation.TANH, true)
                .dense(3, Activation.SIGMOID, false)
                .build(1);
        Dataset data = data(100, 6, 3);
        int[] order = new int[100];
        for (int i = 0; i < order.length; i++) {
            order[i] = 99 - i;
        }
        Samples picked = HeldOutSplit.drawn(data, 20, 1).train();
        int[] pickedOrder = new int[picked.count()];
        for (int i = 0; i < pickedOrder.length; i++) {
            pickedOrder[i] = (i * 7) % pickedOrder.length;
        }
        try (Backend be = new NothingBackend(fused);
                Trainer tr = new Trainer(be, net, 32)) {
            ResidentBatch kept = tr.keep(data, 0, 20);
            Runnable epoch = () -> {
                for (int first = 0; first < 100; first += 30) { // batches of 30 and a last one of 10
                    tr.step(data, null, first, Math.min(30, 100 - first), 0.1);
                }
                tr.step(data, null, 0, 70, 0.1); // three micro-batches: 32, 32, 6
                tr.step(data, order, 10, 30, 0.1);
                tr.queueStep(kept, 0.1);
                tr.step(picked, null, 50, 30, 0.1);
                tr.step(picked, pickedOrder, 0, 30, 0.1);
            };
            for (int i = 0; i < 2000; i++) { // until the JIT has compiled the step
                epoch.run();
            }
            assertEquals(
                    0,
                    METER.leastUntilZero(epoch, 500, 0).total(),
                    "bytes the trainer allocates per 500 epochs of 9 steps");
        }
    }
}

package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.JavaHeap;
import dev.nabla.MemoryException;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.data.SyntheticData;
import dev.nabla.model.Network;
import org.junit.jupiter.api.Test;

/** The arithmetic of {@link MemoryPlan#need} and the refusals of {@link MemoryCheck}, against a backend whose free memory is set. */
class MemoryCheckTest {
    /**
     * 4-200-200-2 without bias: 800 + 40,000 + 400 = 41,200 parameters. Per sample on the backend
     * 2 x (4 + 2) input and target values and 2 x (200 + 200 + 2) activations and gradients, 816
     * values; once, 2 x 41,200 parameters and gradients, the loss and the samples right, and the
     * optimizer's 3 step scalars, 82,405 values (plain SGD keeps no state).
     */
    private static final Network NET = Network.builder(4)
            .dense(200, Activation.SIGMOID, false)
            .dense(200, Activation.SIGMOID, false)
            .dense(2, Activation.SIGMOID, false)
            .build(1);

    /** A backend that has {@code free} bytes, on the heap or on a device of its own; it computes nothing. */
    private static final class Sized extends IdleBackend {
        private final boolean heap;
        private final long free;

        Sized(Precision precision, boolean heap, long free) {
            super(precision);
            this.heap = heap;
            this.free = free;
        }

        @Override
        public String name() {
            return "sized";
        }

        @Override
        public long memoryAvailable() {
            return free;
        }

        @Override
        public boolean usesJavaHeap() {
            return heap;
        }
    }

    @Test
    void theBuiltInDataIsTwentyDoublesASample() {
        assertEquals(8_000_000_000L, SyntheticData.bytes(50_000_000));
        assertEquals(160, SyntheticData.bytes(1));
    }

    @Test
    void tooMuchBuiltInDataIsRefusedBeforeItIsMade() {
        long bytes = SyntheticData.bytes(Integer.MAX_VALUE); // 343 GB
        assumeTrue(JavaHeap.max() < bytes);
        MemoryException e =
                assertThrows(MemoryException.class, () -> MemoryCheck.requireSyntheticData(Integer.MAX_VALUE));
        assertEquals(bytes, e.needed());
        String m = e.getMessage();
        assertTrue(
                m.startsWith("not enough memory: the built-in data (2,147,483,647 samples of 16 inputs and 4 targets)"
                        + " needs 343,597,383,520 bytes (320.0 GiB) of Java heap, but "),
                m);
        assertTrue(
                m.endsWith(", use fewer --samples, or give the data as .npy files (memory-mapped, off the heap)"), m);
        assertDoesNotThrow(() -> MemoryCheck.requireSyntheticData(1000));
    }

    @Test
    void onTheHeapATrainerTakesItsMatricesStagingTheLargestLayersCopyAndPackingScratch() {
        MemoryPlan.Need cpu = MemoryPlan.need(NET, 256, 8, true);
        long matrices = (816L * 256 + 82_405) * 8; // 2,330,408
        long staging = 8L * 256 * (4 + 2); // 12,288
        long upload = 8L * 200 * 200; // the 200 x 200 layer's weights as doubles, 320,000
        long scratch = 8L * 256 * 256; // 256 values for each of the 256 rows of the micro-batch
        assertEquals(matrices, MemoryPlan.bytesFor(NET, 256, 8));
        // Adam keeps two moments beside each of the 41,200 parameters.
        assertEquals(
                matrices + 2L * 41_200 * 8,
                MemoryPlan.bytesFor(NET.withOptimizer(Optimizer.adam(0.9, 0.999, 1e-8, 0)), 256, 8));
        assertEquals(new MemoryPlan.Need(matrices + staging + upload + scratch, 0), cpu);
        assertEquals(3_186_984, cpu.heap());
        // Below the widest layer's 200 rows, the scratch is sized by the layer.
        assertEquals(
                8L * 256 * 200,
                MemoryPlan.need(NET, 1, 8, true).heap()
                        - MemoryPlan.need(NET, 1, 8, false).heap()
                        - MemoryPlan.bytesFor(NET, 1, 8));
    }

    @Test
    void onADeviceTheMatricesAreTheDevicesAndOnlyStagingAndTheCopyAreOnTheHeap() {
        MemoryPlan.Need gpu = MemoryPlan.need(NET, 256, 4, false);
        assertEquals((816L * 256 + 82_405) * 4, gpu.device());
        assertEquals(8L * 256 * 6 + 8L * 200 * 200, gpu.heap());
    }

    @Test
    void automaticMicroBatchesFillSeventyPercentOfTheDevice() {
        // (816 c + 82,401) x 4 <= 0.7 x 10,000,000 for c up to 2,043.
        Backend gpu = new Sized(Precision.FP32, false, 10_000_000);
        assertEquals(2043, MemoryPlan.capacityFor(gpu, NET, 4096));
        assertEquals(1000, MemoryPlan.capacityFor(gpu, NET, 1000));
        // One sample needs 332,884 bytes: more than 70% of 400,000, but it fits, so one it is.
        assertEquals(1, MemoryPlan.capacityFor(new Sized(Precision.FP32, false, 400_000), NET, 4096));
    }

    @Test
    void aMicroBatchTooLargeForTheDeviceIsRefusedWithTheLargestThatFits() {
        Backend gpu = new Sized(Precision.FP32, false, 1_000_000);
        MemoryException e =
                assertThrows(MemoryException.class, () -> MemoryCheck.requireTrainer(gpu, NET, 4096, "--batch"));
        assertEquals(
                "not enough memory: the 4-200-200-2 network (41,200 parameters) on sized fp32, with its gradients and"
                        + " the buffers of 4,096 samples at a time needs 13,698,964 bytes (13.1 MiB) of memory on the"
                        + " sized device, but 1,000,000 bytes are free; use --batch 205 or less (the most that fits)",
                e.getMessage());
        assertEquals(13_698_964, e.needed());
        assertEquals(1_000_000, e.available());
        assertDoesNotThrow(() -> MemoryCheck.requireTrainer(gpu, NET, 205, "--batch"));
    }

    @Test
    void aNetworkTooLargeForOneSampleIsRefusedEvenWhenTheMicroBatchIsAutomatic() {
        Backend gpu = new Sized(Precision.FP32, false, 300_000);
        MemoryException e = assertThrows(MemoryException.class, () -> MemoryPlan.capacityFor(gpu, NET, 256));
        assertTrue(
                e.getMessage()
                        .contains("the buffers of 1 sample at a time needs 332,884 bytes of memory on the sized"
                                + " device, but 300,000 bytes are free; use a smaller network (not even one sample at a time"
                                + " fits)"),
                e.getMessage());
    }

    @Test
    void onTheHeapTheRefusalNamesTheHeapTheMicroBatchThatFitsAndNpyData() {
        // 6,576 c + 1,388,808 bytes for up to 200 rows: 92 fit in 2,000,000.
        Backend cpu = new Sized(Precision.FP64, true, 2_000_000);
        MemoryException e = assertThrows(
                MemoryException.class, () -> MemoryCheck.requireTraining(cpu, NET, 256, 1000, false, true));
        String m = e.getMessage();
        assertTrue(
                m.startsWith("not enough memory: the 4-200-200-2 network (41,200 parameters) on sized fp64, with its"
                        + " gradients and the buffers of 256 samples at a time needs 3,186,984 bytes (3.0 MiB) of"
                        + " Java heap, but 2,000,000 bytes (1.9 MiB) are free (the heap is at most "),
                m);
        assertTrue(
                m.endsWith("otherwise), use --micro-batch 92 or less (the most that fits), or give the data as .npy"
                        + " files (memory-mapped, off the heap)"),
                m);
        assertDoesNotThrow(() -> MemoryCheck.requireTraining(cpu, NET, 92, 1000, false, false));
    }

    @Test
    void theShuffledOrderIsAnIntASample() {
        Backend cpu = new Sized(Precision.FP64, true, 2_000_000);
        assertDoesNotThrow(() -> MemoryCheck.requireTraining(cpu, NET, 92, 10, true, false)); // 1,993,872 bytes
        MemoryException e =
                assertThrows(MemoryException.class, () -> MemoryCheck.requireTraining(cpu, NET, 92, 2000, true, false));
        assertEquals(1_993_832 + 4 * 2000, e.needed());
        assertTrue(
                e.getMessage().endsWith("otherwise) or use --micro-batch 91 or less (the most that fits)"),
                e.getMessage());
    }
}

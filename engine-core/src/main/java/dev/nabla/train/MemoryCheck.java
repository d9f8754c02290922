package dev.nabla.train;

import dev.nabla.JavaHeap;
import dev.nabla.MemoryException;
import dev.nabla.backend.Backend;
import dev.nabla.data.SyntheticData;
import dev.nabla.model.Network;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The checks a command makes before it allocates what a run needs, so that too little memory is
 * one line (a {@link MemoryException}) that names the bytes needed, the bytes free and the ways
 * out, and not an {@link OutOfMemoryError} halfway through:
 *
 * <ul>
 *   <li>the built-in data: {@code samples x (inputs + targets)} doubles on the heap;
 *   <li>a trainer: what {@link MemoryPlan#need} counts (its parameters, gradients, activations and
 *       deltas per micro-batch, on the heap for the CPU backend and on the device for a GPU, and
 *       its staging arrays on the heap), and for training the shuffled order (an int a sample);
 *   <li>predictions gathered for a {@code .npy} file: a double per output of every sample.
 * </ul>
 *
 * Each compares with what is free now, so what is already allocated (data read from CSV, the
 * host's copy of the network) counts as in use; {@code .npy} data is memory-mapped and takes no
 * heap. The heap is measured again after a garbage collection before a refusal. Model files are
 * checked as they are read ({@link dev.nabla.model.ModelFile#read}).
 */
public final class MemoryCheck {
    private static final String NPY = "give the data as .npy files (memory-mapped, off the heap)";

    private MemoryCheck() {}

    /** Refuses built-in data of {@code samples} samples that the heap cannot hold. */
    public static void requireSyntheticData(int samples) {
        JavaHeap.require(
                SyntheticData.bytes(samples),
                String.format(
                        Locale.ROOT,
                        "the built-in data (%,d samples of %d inputs and %d targets)",
                        samples,
                        SyntheticData.INPUTS,
                        SyntheticData.TARGETS),
                "use fewer --samples",
                NPY);
    }

    /**
     * Refuses a trainer of {@code network} on {@code backend} in micro-batches of {@code capacity}
     * that does not fit in the memory free (on the heap, and on the backend's device).
     *
     * @param capacityFlag the option that sets the samples computed at once ({@code --batch}),
     *     named in the refusal with the largest value that fits; null when there is none
     */
    public static void requireTrainer(Backend backend, Network network, int capacity, String capacityFlag) {
        require(backend, network, capacity, 0, capacityFlag);
    }

    /**
     * {@link #requireTrainer} for training on {@code samples} samples, counting the order they are
     * visited in when {@code shuffled}; {@code dataOnHeap} says whether the data is in memory, and
     * so whether a refusal suggests {@code .npy} files. The micro-batch is set by {@code --micro-batch}.
     */
    public static void requireTraining(
            Backend backend, Network network, int capacity, int samples, boolean shuffled, boolean dataOnHeap) {
        long order = shuffled ? (long) Integer.BYTES * samples : 0;
        require(backend, network, capacity, order, "--micro-batch", dataOnHeap ? new String[] {NPY} : new String[0]);
    }

    /** Refuses gathering the {@code outputs} predictions of {@code samples} samples when the heap cannot hold them. */
    public static void requirePredictions(int samples, int outputs) {
        JavaHeap.require(
                (long) Double.BYTES * samples * outputs,
                String.format(
                        Locale.ROOT, "the predictions for a .npy file (%,d samples of %d outputs)", samples, outputs),
                "write them as CSV (an --out not ending in .npy), which is written as it is computed");
    }

    /** What a backend on the heap has free: the backend's own count of it; else the heap's. */
    static long heapFree(Backend backend) {
        return backend.usesJavaHeap() ? backend.memoryAvailable() : JavaHeap.free();
    }

    private static void require(
            Backend backend, Network network, int capacity, long otherHeap, String capacityFlag, String... otherWays) {
        MemoryPlan.Need need = MemoryPlan.need(backend, network, capacity);
        long heap = need.heap() + otherHeap;
        if (!backend.usesJavaHeap()) {
            long free = backend.memoryAvailable();
            if (need.device() > free) {
                throw new MemoryException(
                        "not enough memory: " + subject(backend, network, capacity) + " needs "
                                + JavaHeap.bytes(need.device()) + " of memory on the " + backend.name()
                                + " device, but "
                                + JavaHeap.bytes(free) + " are free; "
                                + JavaHeap.either(waysOut(
                                        backend, network, capacity, otherHeap, capacityFlag, JavaHeap.free(), free)),
                        need.device(),
                        free);
            }
        }
        long free = heapFree(backend);
        if (free < heap) {
            System.gc();
            free = heapFree(backend);
        }
        if (free < heap) {
            long device = backend.usesJavaHeap() ? 0 : backend.memoryAvailable();
            String[] ways = {waysOut(backend, network, capacity, otherHeap, capacityFlag, free, device)};
            String[] all = Arrays.copyOf(ways, 1 + otherWays.length);
            System.arraycopy(otherWays, 0, all, 1, otherWays.length);
            throw JavaHeap.refusal(heap, free, subject(backend, network, capacity), all);
        }
    }

    /** "the 4-20-2 network (142 parameters) on cpu fp64, with its gradients and the buffers of 256 samples at a time". */
    private static String subject(Backend backend, Network network, int capacity) {
        String widths =
                Arrays.stream(network.widths()).mapToObj(Integer::toString).collect(Collectors.joining("-"));
        return String.format(
                Locale.ROOT,
                "the %s network (%,d parameters) on %s %s, with its gradients and the buffers of %,d sample%s at a time",
                widths,
                network.parameterCount(),
                backend.name(),
                backend.precision().id(),
                capacity,
                capacity == 1 ? "" : "s");
    }

    /** A smaller micro-batch that fits, or a smaller network where none does. */
    private static String waysOut(
            Backend backend,
            Network network,
            int capacity,
            long otherHeap,
            String capacityFlag,
            long heapFree,
            long deviceFree) {
        int fits = MemoryPlan.largestFitting(backend, network, capacity - 1, otherHeap, heapFree, deviceFree);
        if (fits < 1) {
            return "use a smaller network (not even one sample at a time fits)";
        }
        return (capacityFlag == null
                        ? "compute at most " + fits + " samples at once"
                        : "use " + capacityFlag + " " + fits + " or less")
                + " (the most that fits)";
    }
}

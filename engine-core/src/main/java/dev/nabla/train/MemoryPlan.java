package dev.nabla.train;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Optimizer;
import dev.nabla.data.ArrayLimit;
import dev.nabla.model.Layer;
import dev.nabla.model.Network;

/**
 * How much memory a {@link Trainer} takes, and so how many samples one micro-batch can hold.
 *
 * <p>On its backend ({@link #bytesFor}): per sample, two sets of input and target buffers and
 * each layer's activations and gradients; once, every parameter and its gradient, and the loss.
 * On the Java heap besides ({@link #need}): one micro-batch's staging arrays, and the copy of the
 * largest layer's weights on its way to the backend; where the backend's matrices are Java arrays
 * ({@link Backend#usesJavaHeap()}), those too, and the scratch its matrix products pack operands
 * into.
 */
public final class MemoryPlan {
    /** Of the memory a backend has free, the share a trainer sizes its micro-batches to; the rest is headroom. */
    private static final double MEMORY_SHARE = 0.7;

    /**
     * Values per row of an operand a matrix product packs at once (the depth of the CPU backend's
     * panels): its scratch holds this many values for each row of the larger of the micro-batch and
     * the widest layer.
     */
    static final int PACKED_DEPTH = 256;

    private MemoryPlan() {}

    /** The most values one sample takes in a single buffer: its inputs, its targets, or the widest layer's units. */
    public static int widestRow(Network network) {
        int widest = Math.max(network.inputs(), network.outputs());
        for (Layer l : network.layers()) {
            widest = Math.max(widest, l.outputs());
        }
        return widest;
    }

    /**
     * The most samples one micro-batch of {@code network} holds whatever the memory: every buffer
     * of a micro-batch, {@link #widestRow} values a sample at most, is one array of at most
     * {@link ArrayLimit#MAX_LENGTH}.
     */
    public static int maxCapacity(Network network) {
        return ArrayLimit.rows(widestRow(network));
    }

    /** Bytes a trainer needs on the Java heap, and on a device of the backend's own (0 for a backend on the heap). */
    public record Need(long heap, long device) {}

    /**
     * Bytes a trainer of {@code network} holds on its backend with the given capacity, with the
     * states of the optimizer the network names ({@link Network#optimizer()}; none for plain SGD).
     */
    public static long bytesFor(Network network, long capacity, int elementBytes) {
        long perRow = 2L * (network.inputs() + network.outputs()); // two sets of input and target buffers
        long fixed = 2 + Optimizer.STEP_SCALARS; // the loss and the rows right, the optimizer's step scalars
        int states = network.optimizer() == null ? 0 : network.optimizer().states();
        for (Layer l : network.layers()) {
            perRow += 2L * l.outputs(); // activations, and gradients
            fixed += (2L + states) * l.parameterCount(); // parameters, their gradients, the optimizer's states
        }
        return (perRow * capacity + fixed) * elementBytes;
    }

    /**
     * What a trainer of {@code network} in micro-batches of up to {@code capacity} samples takes,
     * with values of {@code elementBytes} on its backend: {@link #bytesFor} on the device, or on
     * the heap where {@code onHeap}; on the heap in any case the staging arrays (a double for each
     * input and target of {@code capacity} samples) and a copy of the largest layer's weights (as
     * doubles, while they are uploaded).
     */
    public static Need need(Network network, long capacity, int elementBytes, boolean onHeap) {
        long widest = widestRow(network);
        long largest = 0;
        for (Layer l : network.layers()) {
            largest = Math.max(largest, (long) l.inputs() * l.outputs());
        }
        long host = (long) Double.BYTES * (capacity * (network.inputs() + network.outputs()) + largest);
        long matrices = bytesFor(network, capacity, elementBytes);
        if (!onHeap) {
            return new Need(host, matrices);
        }
        long scratch = (long) elementBytes * PACKED_DEPTH * Math.max(capacity, widest);
        return new Need(host + matrices + scratch, 0);
    }

    /** {@link #need} for {@code backend}'s precision and memory. */
    public static Need need(Backend backend, Network network, long capacity) {
        return need(network, capacity, backend.precision().bytes(), backend.usesJavaHeap());
    }

    /**
     * The largest micro-batch, up to {@code batch}, whose trainer fits in what {@code backend}
     * has free (with headroom), and in what the heap has free, and whose buffers each fit one array
     * ({@link #maxCapacity}); where the heap limits it, measured again after a garbage collection.
     *
     * @throws dev.nabla.MemoryException when not even one sample fits ({@link MemoryCheck#requireTrainer})
     */
    public static int capacityFor(Backend backend, Network network, int batch) {
        int most = Math.min(batch, maxCapacity(network));
        int fits = largestFitting(backend, network, most);
        if (fits < most && backend.usesJavaHeap()) { // garbage would make micro-batches smaller than they can be
            System.gc();
            fits = largestFitting(backend, network, most);
        }
        if (fits < 1) {
            MemoryCheck.requireTrainer(backend, network, 1, null); // says why, unless one fits without headroom
            return 1;
        }
        return fits;
    }

    /** The largest capacity up to {@code batch} whose {@link #need} fits in the share of the memory free now; 0 if none. */
    private static int largestFitting(Backend backend, Network network, int batch) {
        long heap = (long) (MemoryCheck.heapFree(backend) * MEMORY_SHARE);
        long device = backend.usesJavaHeap() ? 0 : (long) (backend.memoryAvailable() * MEMORY_SHARE);
        return largestFitting(backend, network, batch, 0, heap, device);
    }

    /**
     * The largest capacity up to {@code most} whose {@link #need}, with {@code otherHeap} more
     * bytes on the heap, fits in {@code heapFree} (and {@code deviceFree} on a device); 0 if none.
     */
    static int largestFitting(
            Backend backend, Network network, int most, long otherHeap, long heapFree, long deviceFree) {
        int lo = 0;
        int hi = Math.max(0, most);
        while (lo < hi) { // the need grows with the capacity: the last one that fits, by bisection
            int mid = lo + (hi - lo + 1) / 2;
            Need n = need(backend, network, mid);
            if (n.heap() + otherHeap <= heapFree && (backend.usesJavaHeap() || n.device() <= deviceFree)) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}

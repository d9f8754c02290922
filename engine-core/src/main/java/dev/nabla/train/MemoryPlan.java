package dev.nabla.train;

import dev.nabla.InputException;
import dev.nabla.backend.Backend;
import dev.nabla.data.ArrayLimit;
import dev.nabla.model.Layer;
import dev.nabla.model.Network;

/**
 * How much of a backend's memory a {@link Trainer} takes, and so how many samples one
 * micro-batch can hold: per sample, two sets of input and target buffers and each layer's
 * activations and gradients; once, every parameter and its gradient, and the loss.
 */
public final class MemoryPlan {
    /** Of the memory a backend has free, the share a trainer sizes its micro-batches to; the rest is headroom. */
    private static final double MEMORY_SHARE = 0.7;

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

    /** Bytes a trainer of {@code network} holds on its backend with the given capacity. */
    public static long bytesFor(Network network, long capacity, int elementBytes) {
        long perRow = 2L * (network.inputs() + network.outputs()); // two sets of input and target buffers
        long fixed = 1; // the loss
        for (Layer l : network.layers()) {
            perRow += 2L * l.outputs(); // activations, and gradients
            fixed += 2 * l.parameterCount(); // parameters, and their gradients
        }
        return (perRow * capacity + fixed) * elementBytes;
    }

    /**
     * The largest micro-batch, up to {@code batch}, whose trainer fits in what {@code backend}
     * has free (with headroom) and whose buffers each fit one array ({@link #maxCapacity}). On the
     * CPU the batch's staging copy on the heap is counted too.
     *
     * @throws InputException when not even one sample fits
     */
    public static int capacityFor(Backend backend, Network network, int batch) {
        int bytes = backend.precision().bytes();
        long perRow = bytesFor(network, 1, bytes)
                - bytesFor(network, 0, bytes)
                + (long) Double.BYTES * (network.inputs() + network.outputs());
        long fixed = bytesFor(network, 0, bytes);
        long usable = (long) (backend.memoryAvailable() * MEMORY_SHARE) - fixed;
        if (usable < perRow) {
            throw new InputException("the network needs " + fixed + " bytes for its parameters and " + perRow
                    + " per sample, but " + backend.name() + " has " + backend.memoryAvailable() + " bytes free");
        }
        return (int) Math.min(Math.min(batch, maxCapacity(network)), usable / perRow);
    }
}

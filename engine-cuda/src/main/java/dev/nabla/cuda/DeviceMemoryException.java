package dev.nabla.cuda;

import dev.nabla.JavaHeap;
import dev.nabla.MemoryException;
import java.util.Locale;

/**
 * The GPU has not enough free memory for what was asked (a micro-batch or a network too large
 * for the device): one line with the bytes asked for and the bytes free, reported like every
 * shortage of memory (exit code 1 on the command line, no stack trace).
 */
public class DeviceMemoryException extends MemoryException {
    private static final long serialVersionUID = 1L;

    /**
     * {@code what} (a micro-batch's buffers, the network's parameters) needed {@code requested} bytes
     * where the device had {@code free} of its {@code total}; the message says so and how to need less.
     */
    public DeviceMemoryException(long requested, long free, long total, String what) {
        super(
                String.format(
                        Locale.ROOT,
                        "out of GPU memory: %s needs %s (%,d bytes), but only %s (%,d bytes) of %s "
                                + "are free; try a smaller --micro-batch (train) or --batch (predict, evaluate), or a "
                                + "smaller network",
                        what,
                        JavaHeap.size(requested),
                        requested,
                        JavaHeap.size(free),
                        free,
                        JavaHeap.size(total)),
                requested,
                free);
    }

    /** Bytes the allocation asked for. */
    public long requested() {
        return needed();
    }

    /** Bytes the device had free. */
    public long free() {
        return available();
    }
}

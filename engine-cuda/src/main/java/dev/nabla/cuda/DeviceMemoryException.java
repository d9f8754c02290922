package dev.nabla.cuda;

import dev.nabla.InputException;
import java.util.Locale;

/**
 * The GPU has not enough free memory for what was asked. A user's choice (a batch or a network
 * too large for the device) causes it, so it is reported like bad input: one line with the bytes
 * asked for and the bytes free.
 */
public class DeviceMemoryException extends InputException {
    private static final long serialVersionUID = 1L;

    private final long requested;
    private final long free;

    public DeviceMemoryException(long requested, long free, long total, String what) {
        super(String.format(
                Locale.ROOT,
                "out of GPU memory: %s needs %s (%,d bytes), but only %s (%,d bytes) of %s "
                        + "are free; try a smaller --batch or network",
                what,
                bytes(requested),
                requested,
                bytes(free),
                free,
                bytes(total)));
        this.requested = requested;
        this.free = free;
    }

    public long requested() {
        return requested;
    }

    public long free() {
        return free;
    }

    /** {@code "1.5 GiB"}, {@code "12.0 MiB"}, {@code "512 bytes"}. */
    static String bytes(long n) {
        if (n >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", n / (double) (1L << 30));
        }
        if (n >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        }
        return n + " bytes";
    }
}

package dev.nabla;

/**
 * Not enough memory for what was asked: the Java heap or a device has fewer bytes free than a
 * data set, a model or a trainer needs, found before allocating them (or by the device when an
 * allocation fails).
 *
 * <p>The message is one line, ready to print as it is: what needs the memory, the bytes needed,
 * the bytes available, and the ways out (a larger heap, fewer samples at once, memory-mapped
 * data). The command line prints it and exits with code 1, as for any run the machine cannot
 * carry out, without a stack trace: the input is not wrong, the memory given is too small for it.
 */
public class MemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Bytes that were needed. */
    private final long needed;
    /** Bytes that were free. */
    private final long available;

    /** An exception of the one-line {@code message} that says all of the above, and its two byte counts. */
    public MemoryException(String message, long needed, long available) {
        super(message);
        this.needed = needed;
        this.available = available;
    }

    /** Bytes that were needed. */
    public long needed() {
        return needed;
    }

    /** Bytes that were free. */
    public long available() {
        return available;
    }
}

package dev.nabla;

/**
 * A mistake in what the user gave the engine: a file, a flag, a shape that does not fit.
 *
 * <p>The message is one line that names what is wrong and where ({@code file:line:column} for
 * data), ready to print as it is. The command line turns it into exit code 2 without a stack
 * trace; everything else that escapes is an internal fault (exit code 1).
 */
public class InputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception whose message is the one line to print. */
    public InputException(String message) {
        super(message);
    }

    /** An exception whose message is the one line to print, caused by {@code cause} (an I/O error, say). */
    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.nabla.io;

import dev.nabla.InputException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * An output file that cannot be written: its directory is missing or read-only, the disk is
 * full, the name is refused. One line, like every {@link InputException}; a command that can go
 * on without the file (a side output) or put it elsewhere (a trained model) catches it.
 */
public class OutputException extends InputException {
    private static final long serialVersionUID = 1L;

    /** Why the file cannot be written, without the file's name. */
    private final String reason;

    /** An exception whose message, the one line to print, is also its reason. */
    public OutputException(String message) {
        this(message, message, null);
    }

    private OutputException(String message, String reason, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** {@code target: cannot be written (reason)}, the reason said without Java's class names. */
    static OutputException cannotWrite(Path target, IOException e) {
        return cannotWrite(target.toString(), e);
    }

    /** {@code what: cannot be written (reason)}. */
    static OutputException cannotWrite(String what, IOException e) {
        String why = reason(e);
        return new OutputException(what + ": cannot be written (" + why + ")", why, e);
    }

    /** Why the file cannot be written, in a few words ({@code No space left on device}). */
    public String reason() {
        return reason;
    }

    /** What went wrong in an I/O operation, in a few words and without Java's class names. */
    public static String reason(IOException e) {
        // Writers such as ImageIO wrap the file system's error in one of their own: say the innermost.
        while (e.getCause() instanceof IOException inner) {
            e = inner;
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException n) {
            return "no such file or directory: " + n.getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}

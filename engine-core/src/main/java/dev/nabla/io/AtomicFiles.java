package dev.nabla.io;

import dev.nabla.InputException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes output files so that a reader sees either the old file or the whole new one: the
 * content goes to a temporary file beside the target, is flushed to disk, and is then renamed
 * over the target. A failed or killed run leaves the previous file as it was.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /** Checks, before any work is done, that {@code target} can later be written. */
    public static void requireWritable(Path target) {
        Path dir = directoryOf(target);
        if (Files.isDirectory(target)) {
            throw new InputException(target + ": is a directory, not a file");
        }
        if (!Files.isDirectory(dir)) {
            throw new InputException(target + ": the directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new InputException(target + ": the directory " + dir + " is not writable");
        }
    }

    public static void writeString(Path target, String content) {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    public static void write(Path target, byte[] content) {
        write(target, out -> out.write(content));
    }

    /** What goes into a file, written to a stream. */
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code content} to a temporary file beside {@code target}, flushes it to disk, and
     * renames it over {@code target}. If writing fails or throws, the temporary file is removed
     * and {@code target} is as it was.
     */
    public static void write(Path target, Content content) {
        requireWritable(target);
        Path dir = directoryOf(target);
        // Not Files.createTempFile: its files are private (0600); this one gets the usual permissions.
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new InputException(target + ": cannot be written (" + e.getMessage() + ")", e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The temporary file is all that is left behind; the target is untouched.
                }
            }
        }
    }

    /** Flushes the directory entry of a rename to disk where the platform allows it (Linux does). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // Not every platform can open a directory; the rename itself is still atomic.
        }
    }

    private static Path directoryOf(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }
}

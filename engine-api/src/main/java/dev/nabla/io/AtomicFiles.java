package dev.nabla.io;

import dev.nabla.InputException;
import java.io.IOException;
import java.nio.ByteBuffer;
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

    private AtomicFiles() {
    }

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
        requireWritable(target);
        Path tmp = null;
        try {
            // Not Files.createTempFile: its files are private (0600); this one gets the usual permissions.
            tmp = directoryOf(target)
                    .resolve("." + target.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new InputException(target + ": cannot be written (" + e.getMessage() + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The temporary file is all that is left behind; the target is untouched.
                }
            }
        }
    }

    private static Path directoryOf(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        return parent == null ? Path.of(".") : parent;
    }
}

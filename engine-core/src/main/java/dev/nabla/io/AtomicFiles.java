package dev.nabla.io;

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
 * content goes to a temporary file beside the target ({@link TemporaryFiles}), is flushed to disk,
 * and is then renamed over the target. A failed or killed run leaves the previous file as it was.
 *
 * <p>A symbolic link is written through: the file it leads to is replaced and the link stays. A
 * target that exists and is not a regular file (a device, a pipe, a directory) is refused, never
 * replaced: renaming a file over {@code /dev/null} would replace it for the whole machine.
 */
public final class AtomicFiles {
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /** {@link #write(Path, Content)} of {@code content} in UTF-8. */
    public static void writeString(Path target, String content) {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #write(Path, Content)} of {@code content}'s bytes. */
    public static void write(Path target, byte[] content) {
        write(target, out -> out.write(content));
    }

    /** What goes into a file, written to a stream. */
    public interface Content {
        /** Writes the whole content to {@code out}, which the caller flushes and closes. */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code content} to a temporary file beside {@code target} (or beside the file a
     * symbolic link {@code target} leads to), flushes it to disk, and renames it over that file.
     * If writing fails or throws, the temporary file is removed and the target is as it was.
     *
     * @throws OutputException when the file cannot be written, with the reason
     */
    public static void write(Path target, Content content) {
        Path file = OutputFile.requireReplaceable(target);
        Path tmp = TemporaryFiles.next(file, RANDOM);
        boolean moved = false;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            // Held until the rename, so that a run cleaning up after a killed one leaves this file alone.
            ch.lock();
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            content.writeTo(out);
            out.flush();
            ch.force(true);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } catch (IOException e) {
            throw OutputException.cannotWrite(target, e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The temporary file is all that is left behind; the next write of this target removes it.
                }
            }
        }
        syncDirectory(file.getParent());
    }

    /** Flushes the directory entry of a rename to disk where the platform allows it (Linux does). */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // Not every platform can open a directory; the rename itself is still atomic.
        }
    }
}

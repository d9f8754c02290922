package dev.nabla.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The temporary files an {@link AtomicFiles} write goes through: {@code .NAME.<16 hex digits>.tmp}
 * beside the target {@code NAME}. A name so long that this would pass the file system's limit on
 * a name ({@link #MAX_NAME_BYTES}) is shortened, keeping a checksum of the whole name, so every
 * legal target has a legal temporary name.
 *
 * <p>A run killed while writing leaves its temporary file behind. The writer holds a lock on it
 * until the rename, so {@link #removeStale} can tell a leftover (no process holds it) from a
 * write in progress, and removes only leftovers of the one target it is given.
 */
final class TemporaryFiles {
    /** The longest file name, in bytes, of the usual Linux file systems (ext4, XFS, btrfs, tmpfs). */
    static final int MAX_NAME_BYTES = 255;

    private static final int SUFFIX_BYTES = ".0123456789abcdef.tmp".length();

    private TemporaryFiles() {}

    /** A new temporary name beside {@code file}, which is a target with its symbolic links followed. */
    static Path next(Path file, RandomGenerator random) {
        return file.resolveSibling(stem(file) + String.format(Locale.ROOT, ".%016x.tmp", random.nextLong()));
    }

    /**
     * {@code .NAME}, or, where {@code .NAME.<hex>.tmp} would be too long, the longest start of
     * {@code NAME} that fits (whole characters) with {@code ~} and the name's CRC-32C.
     */
    static String stem(Path file) {
        String name = file.getFileName().toString();
        String whole = "." + name;
        if (utf8Length(whole) + SUFFIX_BYTES <= MAX_NAME_BYTES) {
            return whole;
        }
        CRC32C crc = new CRC32C();
        crc.update(name.getBytes(StandardCharsets.UTF_8));
        String mark = String.format(Locale.ROOT, "~%08x", crc.getValue());
        int budget = MAX_NAME_BYTES - SUFFIX_BYTES - mark.length() - 1;
        StringBuilder start = new StringBuilder(".");
        int bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int n = utf8Length(new String(Character.toChars(cp)));
            if (bytes + n > budget) {
                break;
            }
            start.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return start + mark;
    }

    /**
     * Creates and removes a temporary file of the name a write of {@code file} will use, and, when
     * {@code file} does not exist yet, renames it to that name first: so a name too long, a
     * read-only file system or a missing permission shows now and not after the work that produces
     * the file. An existing {@code file} is never touched.
     */
    static void probe(Path file) throws IOException {
        Path tmp = next(file, RandomGenerator.getDefault());
        Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
                .close();
        try {
            if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(tmp, file); // no REPLACE_EXISTING: a file that appeared meanwhile is left alone
                Files.delete(file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Removes the temporary files of {@code file} that killed writes left behind (those no live
     * process holds), and returns how many it removed.
     */
    static int removeStale(Path file) {
        Pattern mine = Pattern.compile(Pattern.quote(stem(file)) + "\\.[0-9a-f]{1,16}\\.tmp");
        int removed = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(file.getParent())) {
            for (Path p : dir) {
                if (mine.matcher(p.getFileName().toString()).matches() && removeUnlocked(p)) {
                    removed++;
                }
            }
        } catch (IOException | RuntimeException e) {
            // An unreadable directory: nothing is removed, and the write itself reports what is wrong.
        }
        return removed;
    }

    private static boolean removeUnlocked(Path tmp) {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return false; // another process is writing it now
            }
            Files.delete(tmp);
            return true;
        } catch (OverlappingFileLockException e) {
            return false; // this process is writing it now
        } catch (IOException e) {
            return false;
        }
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}

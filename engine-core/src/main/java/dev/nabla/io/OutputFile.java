package dev.nabla.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.function.BiPredicate;
import java.util.regex.Pattern;

/**
 * An output path of a command, checked before any work is done so that nothing the user owns is
 * destroyed and no finished work is lost to a path that could never be written:
 *
 * <ul>
 *   <li>A symbolic link is written through to the file it leads to; the link stays.
 *   <li>A regular file (or a name not yet taken) is written through {@link AtomicFiles}: its
 *       directory must exist, and the temporary file a write will use is created and removed
 *       now, which proves the name, the permissions and the file system. Temporary files of this
 *       target left behind by killed runs are removed ({@link #staleRemoved()} says how many).
 *   <li>Anything else that exists (a device, a pipe, a socket, a directory, {@code /dev/stdout})
 *       is never renamed over: a command that streams its output ({@code streams} true) writes
 *       into it in place; any other refuses it.
 * </ul>
 *
 * {@link #requireDistinct} refuses an output that is one of the command's inputs, or another
 * output, as a file: the same file reached through another name, a symbolic link or a hard link.
 */
public final class OutputFile {
    private static final int MAX_LINKS = 40;
    private static final Pattern DESCRIPTOR = Pattern.compile("/dev/(std(in|out|err)|fd/.*)|/proc/[^/]+/fd/.*");

    private static final String DIRECTORY = "a directory";

    private final String flag;
    private final Path path;
    private final Path file;
    private final boolean inPlace;
    private final int staleRemoved;

    private OutputFile(String flag, Path path, Path file, boolean inPlace, int staleRemoved) {
        this.flag = flag;
        this.path = path;
        this.file = file;
        this.inPlace = inPlace;
        this.staleRemoved = staleRemoved;
    }

    /**
     * Checks {@code path}, given as {@code flag}, as the output it will be, or fails with a line
     * that says why.
     *
     * @param streams whether the command's output may be written in place into a device, a pipe
     *     or a file descriptor ({@code /dev/stdout})
     * @throws OutputException when the path can never be written as asked
     */
    public static OutputFile check(String flag, Path path, boolean streams) {
        Path file = followLinks(path);
        String kind = kindOf(file);
        if (kind != null && !kind.equals(DIRECTORY) && streams) {
            if (!Files.isWritable(file)) {
                throw new OutputException(flag + " " + path + ": cannot be written (permission denied)");
            }
            return new OutputFile(flag, path, file, true, 0);
        }
        if (kind != null) {
            throw new OutputException(flag + " " + path + ": is " + kind + ", not a regular file; " + flag
                    + " writes a file (through a temporary file and a rename), so name a file");
        }
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            throw new OutputException(flag + " " + path + ": the directory " + dir + " does not exist");
        }
        int stale = TemporaryFiles.removeStale(file);
        try {
            TemporaryFiles.probe(file);
        } catch (IOException e) {
            throw OutputException.cannotWrite(flag + " " + path, e);
        }
        return new OutputFile(flag, path, file, false, stale);
    }

    /** The flag that named this output, for messages. */
    public String flag() {
        return flag;
    }

    /** The path as the user gave it. */
    public Path path() {
        return path;
    }

    /** How many temporary files of killed writes of this output {@link #check} removed. */
    public int staleRemoved() {
        return staleRemoved;
    }

    /** Whether the output is a device, a pipe or a descriptor written in place. */
    public boolean inPlace() {
        return inPlace;
    }

    /** Writes the whole output: in place into a device or pipe, else atomically. */
    public void write(AtomicFiles.Content content) {
        if (!inPlace) {
            AtomicFiles.write(path, content);
            return;
        }
        try (OutputStream out = appendStream()) {
            content.writeTo(out);
        } catch (IOException e) {
            throw OutputException.cannotWrite(path, e);
        }
    }

    /**
     * A stream that adds to the end of the file, for output that grows as it is made (metrics);
     * the file must already exist ({@link #write} it first).
     */
    public OutputStream appendStream() throws IOException {
        return Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** A file a command is given, for {@link #requireDistinct}: the flag that named it and its path. */
    public record Named(String flag, Path path) {}

    /**
     * Refuses, before anything is written, an output that is the same file as an input (unless
     * {@code allowed} accepts the pair of the input's and the output's flags, as continuing a
     * checkpoint in place) or as another output. Entries with a null path are absent flags.
     */
    public static void requireDistinct(List<Named> inputs, List<Named> outputs, BiPredicate<String, String> allowed) {
        for (int i = 0; i < outputs.size(); i++) {
            Named out = outputs.get(i);
            if (out.path() == null) {
                continue;
            }
            for (Named in : inputs) {
                if (in.path() != null && !allowed.test(in.flag(), out.flag()) && sameFile(out.path(), in.path())) {
                    throw new OutputException(out.flag() + " " + out.path() + " is the same file as " + in.flag() + " "
                            + in.path() + throughAnotherName(out.path(), in.path()) + "; writing it would destroy "
                            + "that input: give " + out.flag() + " a file of its own");
                }
            }
            for (Named other : outputs.subList(0, i)) {
                if (other.path() != null && sameFile(out.path(), other.path())) {
                    throw new OutputException(
                            other.flag() + " " + other.path() + " and " + out.flag() + " " + out.path()
                                    + " are the same file" + throughAnotherName(out.path(), other.path())
                                    + "; each output needs a file of its own");
                }
            }
        }
    }

    /**
     * Whether two paths name one file: the same path once symbolic links are followed, or two
     * names (hard links) of one existing file. Standard output and other descriptors are streams,
     * not files of the user's, and name no file here.
     */
    static boolean sameFile(Path a, Path b) {
        Path x = followLinks(a);
        Path y = followLinks(b);
        if (DESCRIPTOR.matcher(x.toString()).matches()
                || DESCRIPTOR.matcher(y.toString()).matches()) {
            return false;
        }
        if (x.equals(y)) {
            return true;
        }
        try {
            return Files.exists(x) && Files.exists(y) && Files.isSameFile(x, y);
        } catch (IOException e) {
            return false;
        }
    }

    private static String throughAnotherName(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())
                ? ""
                : " (through a symbolic link or a hard link)";
    }

    /**
     * The file a write of {@code target} replaces: {@code target} with its symbolic links followed.
     *
     * @throws OutputException when it exists and is not a regular file, or its directory is missing
     */
    static Path requireReplaceable(Path target) {
        Path file = followLinks(target);
        String kind = kindOf(file);
        if (kind != null) {
            throw new OutputException(target + ": is " + kind + ", not a regular file; it is not replaced");
        }
        if (!Files.isDirectory(file.getParent())) {
            throw OutputException.cannotWrite(
                    target, new NoSuchFileException(file.getParent().toString(), null, "no such directory"));
        }
        return file;
    }

    /**
     * {@code path} made absolute, its own symbolic links followed (a link to a missing file gives
     * that file) and the directory it ends in resolved to its real path.
     */
    static Path followLinks(Path path) {
        Path p = path.toAbsolutePath().normalize();
        for (int hops = 0; hops < MAX_LINKS && Files.isSymbolicLink(p); hops++) {
            if (DESCRIPTOR.matcher(p.toString()).matches()) {
                return p; // /dev/stdout leads to /proc/self/fd/1, which leads to a pipe or a terminal
            }
            try {
                p = p.resolveSibling(Files.readSymbolicLink(p)).normalize();
            } catch (IOException | UnsupportedOperationException e) {
                break;
            }
        }
        try {
            return Files.exists(p) ? p.toRealPath() : p.getParent().toRealPath().resolve(p.getFileName());
        } catch (IOException e) {
            return p;
        }
    }

    /**
     * What {@code file} is when it exists and is not a regular file ({@code "a directory"},
     * {@code "a character device"}, ...), else {@code null}.
     */
    private static String kindOf(Path file) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return null; // absent
        }
        if (DESCRIPTOR.matcher(file.toString()).matches()) {
            return "a file descriptor";
        }
        if (a.isRegularFile()) {
            return null;
        }
        if (a.isDirectory()) {
            return DIRECTORY;
        }
        try {
            int type = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000;
            switch (type) {
                case 0010000:
                    return "a pipe (FIFO)";
                case 0020000:
                    return "a character device";
                case 0060000:
                    return "a block device";
                case 0140000:
                    return "a socket";
                default:
                    break;
            }
        } catch (IOException | RuntimeException e) {
            // no unix attributes here
        }
        return "a device, a pipe or a socket";
    }
}

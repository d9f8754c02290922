package dev.nabla.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.io.OutputFile.Named;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output paths: what counts as the same file, what is never replaced, and the temporary files of writes. */
class OutputFileTest {
    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    private static void requireDistinct(Path input, Path output) {
        OutputFile.requireDistinct(
                List.of(new Named("--data", input)), List.of(new Named("--out", output)), (a, b) -> false);
    }

    @Test
    void anOutputIsTheSameFileAsAnInputUnderItsNameALinkOrAHardLink() throws IOException {
        Path data = file("d.csv", "1,2\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), data.getFileName());
        Path hard = Files.createLink(dir.resolve("hard.csv"), data);
        Path viaDots = dir.resolve("sub/../d.csv");
        Files.createDirectories(dir.resolve("sub"));
        for (Path out : new Path[] {data, link, hard, viaDots}) {
            OutputException e = assertThrows(OutputException.class, () -> requireDistinct(data, out));
            assertTrue(
                    e.getMessage().startsWith("--out " + out + " is the same file as --data " + data), e.getMessage());
        }
        requireDistinct(data, dir.resolve("other.csv")); // another file is fine
        requireDistinct(dir.resolve("absent.csv"), dir.resolve("other.csv"));
        Files.writeString(data, "1,2\n");
        assertEquals("1,2\n", Files.readString(data), "checking changes nothing");
    }

    @Test
    void twoOutputsThatAreOneFileAreRefusedAndAnAllowedPairPasses() throws IOException {
        Path ckpt = file("run.safetensors", "x");
        OutputException e = assertThrows(
                OutputException.class,
                () -> OutputFile.requireDistinct(
                        List.of(),
                        List.of(new Named("--save", dir.resolve("m.json")), new Named("--plot", dir.resolve("m.json"))),
                        (a, b) -> false));
        assertTrue(e.getMessage().contains("--save " + dir.resolve("m.json") + " and --plot"), e.getMessage());
        OutputFile.requireDistinct(
                List.of(new Named("--resume", ckpt)),
                List.of(new Named("--save", ckpt)),
                (in, out) -> in.equals("--resume") && out.equals("--save"));
    }

    @Test
    void aPipeOrADirectoryIsNeverReplacedAndAStreamingOutputWritesAPipeInPlace() throws Exception {
        Path fifo = dir.resolve("fifo");
        assumeTrue(
                new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0,
                "mkfifo is needed to make a pipe");
        OutputException e = assertThrows(OutputException.class, () -> OutputFile.check("--save", fifo, false));
        assertTrue(e.getMessage().contains("is a pipe (FIFO), not a regular file"), e.getMessage());
        assertThrows(OutputException.class, () -> AtomicFiles.writeString(fifo, "x"));
        assertTrue(Files.isSymbolicLink(fifo) || !Files.isRegularFile(fifo), "the pipe is still a pipe");
        OutputException d = assertThrows(OutputException.class, () -> OutputFile.check("--out", dir, true));
        assertTrue(d.getMessage().contains("is a directory"), d.getMessage());

        OutputFile out = OutputFile.check("--out", fifo, true);
        assertTrue(out.inPlace());
        byte[][] read = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                read[0] = Files.readAllBytes(fifo);
            } catch (IOException ex) {
                throw new RuntimeException(ex);
            }
        });
        reader.start();
        out.write(o -> o.write("o1\n0.5\n".getBytes(StandardCharsets.US_ASCII)));
        reader.join(10_000);
        assertEquals("o1\n0.5\n", new String(read[0], StandardCharsets.US_ASCII));
        assertFalse(Files.isRegularFile(fifo), "written in place, not renamed over");
    }

    @Test
    void aSymbolicLinkIsWrittenThroughAndStaysALink() throws IOException {
        Path target = file("real.json", "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), target.getFileName());
        OutputFile.check("--save", link, false);
        AtomicFiles.writeString(link, "new");
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertEquals("new", Files.readString(target));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.json"), Path.of("made.json"));
        AtomicFiles.writeString(dangling, "made");
        assertTrue(Files.isSymbolicLink(dangling));
        assertEquals("made", Files.readString(dir.resolve("made.json")));
    }

    @Test
    void everyLegalNameHasALegalTemporaryNameAndAnIllegalOneFailsTheCheck() throws IOException {
        for (String name : new String[] {"a".repeat(240) + ".safetensors", "é".repeat(120) + ".json", "m.json"}) {
            Path target = dir.resolve(name);
            String tmp = TemporaryFiles.next(target, new SplittableRandom(1))
                    .getFileName()
                    .toString();
            assertTrue(tmp.getBytes(StandardCharsets.UTF_8).length <= TemporaryFiles.MAX_NAME_BYTES, tmp);
            OutputFile.check("--save", target, false);
            AtomicFiles.writeString(target, "x");
            assertEquals("x", Files.readString(target));
        }
        assertTrue(
                !TemporaryFiles.stem(dir.resolve("a".repeat(250) + "1"))
                        .equals(TemporaryFiles.stem(dir.resolve("a".repeat(250) + "2"))),
                "two long names keep temporary names of their own");
        Path tooLong = dir.resolve("b".repeat(256));
        OutputException e = assertThrows(OutputException.class, () -> OutputFile.check("--save", tooLong, false));
        assertTrue(e.getMessage().contains("cannot be written (File name too long)"), e.getMessage());
        OutputException missing =
                assertThrows(OutputException.class, () -> OutputFile.check("--save", dir.resolve("no/m.json"), false));
        assertTrue(missing.getMessage().contains("the directory " + dir.resolve("no") + " does not exist"));
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "the checks leave nothing");
        }
    }

    @Test
    void onlyTheTargetsOwnLeftoverTemporaryFilesAreRemovedNotOneBeingWritten() throws IOException {
        Path target = file("run.safetensors", "x");
        Path stale1 = file(".run.safetensors.00000000deadbeef.tmp", "");
        Path stale2 = file(".run.safetensors.1a2b.tmp", ""); // the shorter names of earlier versions
        Path otherTarget = file(".other.safetensors.00000000deadbeef.tmp", "");
        Path unrelated = file(".run.safetensors.notes.tmp", "");
        Path busy = file(".run.safetensors.0000000000000001.tmp", "");
        try (FileChannel ch = FileChannel.open(busy, StandardOpenOption.WRITE);
                FileLock lock = ch.lock()) {
            assertTrue(lock.isValid());
            OutputFile f = OutputFile.check("--save", target, false);
            assertEquals(2, f.staleRemoved());
        }
        assertFalse(Files.exists(stale1));
        assertFalse(Files.exists(stale2));
        assertTrue(Files.exists(otherTarget) && Files.exists(unrelated) && Files.exists(busy));
    }
}

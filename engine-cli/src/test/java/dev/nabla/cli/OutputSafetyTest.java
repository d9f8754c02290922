package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.data.NpyArray;
import dev.nabla.model.Checkpoint;
import dev.nabla.model.ModelFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paths a command writes: an output that is an input, or another output, is refused before any
 * work; a device or a pipe is never renamed over; a name that cannot be written fails before the
 * training, not after it; a final write that fails still leaves the trained model somewhere; and
 * temporary files of killed writes are cleaned up.
 */
class OutputSafetyTest {
    @TempDir
    Path dir;

    private Path data;
    private Path model;

    @BeforeEach
    void files() throws IOException {
        data = Files.writeString(dir.resolve("d.csv"), "x1,x2,t\n0.1,0.2,0.3\n0.4,0.5,0.6\n0.7,0.1,0.2\n");
        model = Files.writeString(
                dir.resolve("m.json"),
                "{\"layers\": [{\"inputs\": 2, \"outputs\": 1, \"activation\": \"sigmoid\", \"bias\": true}]}");
        NpyArray.write(dir.resolve("x.npy"), new double[] {0.1, 0.2, 0.4, 0.5}, 2, 2);
        NpyArray.write(dir.resolve("y.npy"), new double[] {0.3, 0.6}, 2, 1);
    }

    private String in(String name) {
        return dir.resolve(name).toString();
    }

    /** Every file in the directory with its bytes (a link as its target's name), to see that nothing changed. */
    private Map<String, Object> snapshot() throws IOException {
        Map<String, Object> files = new LinkedHashMap<>();
        try (Stream<Path> all = Files.list(dir).sorted()) {
            for (Path p : (Iterable<Path>) all::iterator) {
                files.put(
                        p.getFileName().toString(),
                        Files.isSymbolicLink(p)
                                ? "-> " + Files.readSymbolicLink(p)
                                : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                                        ? new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)
                                        : "(not a regular file)");
            }
        }
        return files;
    }

    /** Runs a command that must be refused with one line containing {@code expected}, changing no file. */
    private void refused(String expected, String... args) throws IOException {
        Map<String, Object> before = snapshot();
        Cli r = Cli.run(args);
        assertEquals(2, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.errorLine().contains(expected), r.errorLine());
        assertFalse(r.out().contains("epoch"), "refused before any training: " + r.out());
        assertEquals(before, snapshot(), "no file written or changed");
    }

    @Test
    void anOutputThatIsAnInputIsRefusedUnderAnyNameBeforeAnyWork() throws IOException {
        Files.createSymbolicLink(dir.resolve("link.csv"), Path.of("d.csv"));
        Files.createLink(dir.resolve("hard.csv"), data);
        refused(
                "--out " + data + " is the same file as --data " + data,
                "predict",
                "--model",
                in("m.json"),
                "--data",
                in("d.csv"),
                "--out",
                in("d.csv"));
        for (String alias : new String[] {"link.csv", "hard.csv"}) {
            refused(
                    "(through a symbolic link or a hard link)",
                    "predict",
                    "--model",
                    in("m.json"),
                    "--data",
                    in("d.csv"),
                    "--out",
                    in(alias));
        }
        refused(
                "--out " + model + " is the same file as --model",
                "predict",
                "--model",
                in("m.json"),
                "--data",
                in("d.csv"),
                "--out",
                in("m.json"));
        refused("--metrics", "train", "--data", in("d.csv"), "--metrics", in("d.csv"));
        refused("--save", "train", "--data", in("d.csv"), "--save", in("link.csv"));
        refused("--plot", "train", "--data", in("hard.csv"), "--plot", in("d.csv"));
        refused(
                "--save " + model + " is the same file as --model",
                "train",
                "--model",
                in("m.json"),
                "--data",
                in("d.csv"),
                "--save",
                in("m.json"));
        refused(
                "is the same file as --targets",
                "train",
                "--data",
                in("x.npy"),
                "--targets",
                in("y.npy"),
                "--save",
                in("y.npy"));
        refused(
                "is the same file as --data",
                "train",
                "--data",
                in("x.npy"),
                "--targets",
                in("y.npy"),
                "--metrics",
                in("x.npy"));
        refused(
                "is the same file as --validation-data",
                "train",
                "--data",
                in("x.npy"),
                "--targets",
                in("y.npy"),
                "--validation-data",
                in("hard.csv"),
                "--metrics",
                in("link.csv"));
        refused(
                "--save " + in("out.json") + " and --metrics " + in("out.json") + " are the same file",
                "train",
                "--data",
                in("d.csv"),
                "--save",
                in("out.json"),
                "--metrics",
                in("out.json"));
        refused(
                "--save " + in("o.json") + " and --plot",
                "train",
                "--data",
                in("d.csv"),
                "--save",
                in("o.json"),
                "--plot",
                in("./o.json"));
    }

    @Test
    void continuingACheckpointInPlaceStillWorks() {
        String ckpt = in("run.safetensors");
        assertEquals(
                0,
                Cli.run("train", "--data", in("d.csv"), "--epochs", "1", "--save", ckpt)
                        .code());
        Cli more = Cli.run("train", "--data", in("d.csv"), "--epochs", "3", "--resume", ckpt, "--save", ckpt);
        assertEquals(0, more.code(), more.toString());
        assertEquals("4", Checkpoint.read(Path.of(ckpt)).get("nabla.epoch"));
    }

    @Test
    void aPipeIsNeverReplacedAndPredictWritesIntoItInPlace() throws Exception {
        Path fifo = dir.resolve("fifo");
        assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0, "needs mkfifo");
        Files.createSymbolicLink(dir.resolve("to-fifo"), Path.of("fifo"));
        for (String flag : new String[] {"--save", "--metrics", "--plot"}) {
            refused("is a pipe (FIFO), not a regular file", "train", "--data", in("d.csv"), flag, in("fifo"));
            refused("is a pipe (FIFO), not a regular file", "train", "--data", in("d.csv"), flag, in("to-fifo"));
        }
        Process reader = new ProcessBuilder("cat", fifo.toString())
                .redirectOutput(dir.resolve("read.csv").toFile())
                .start();
        Cli r = Cli.run("predict", "--model", in("m.json"), "--data", in("d.csv"), "--out", in("to-fifo"));
        assertEquals(0, r.code(), r.toString());
        assertTrue(reader.waitFor(30, TimeUnit.SECONDS));
        List<String> lines = Files.readAllLines(dir.resolve("read.csv"));
        assertEquals("o1", lines.get(0));
        assertEquals(4, lines.size(), lines.toString());
        assertFalse(Files.isRegularFile(fifo), "still a pipe");
        assertTrue(Files.isSymbolicLink(dir.resolve("to-fifo")), "still a link");
    }

    /** A device node of its own in the temporary directory: the machine's /dev is never touched. */
    @Test
    void aDeviceIsNeverReplaced() throws Exception {
        Path full = dir.resolve("full");
        assumeTrue(
                new ProcessBuilder("mknod", full.toString(), "c", "1", "7")
                                .start()
                                .waitFor()
                        == 0,
                "making a device node needs root (mknod); this test runs where the tests run as root");
        Files.createSymbolicLink(dir.resolve("to-full"), Path.of("full"));
        for (String out : new String[] {"full", "to-full"}) {
            refused("is a character device, not a regular file", "train", "--data", in("d.csv"), "--save", in(out));
            refused("is a character device", "train", "--data", in("d.csv"), "--metrics", in(out));
        }
        assertEquals("(not a regular file)", snapshot().get("full"));
    }

    @Test
    void aLinkToAFileIsWrittenThroughAndStaysALink() throws IOException {
        Files.createDirectories(dir.resolve("models"));
        Path link = Files.createSymbolicLink(dir.resolve("latest.json"), Path.of("models/run1.json"));
        Cli r = Cli.run("train", "--data", in("d.csv"), "--epochs", "1", "--save", link.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(2, ModelFile.read(dir.resolve("models/run1.json"), 0).inputs(), "the model went to the target");
    }

    @Test
    void aLongNameSavesAndANameThatCannotBeWrittenFailsBeforeTraining() throws IOException {
        String name = "a".repeat(240) + ".safetensors"; // its temporary name would pass 255 bytes
        Cli longName = Cli.run("train", "--data", in("d.csv"), "--epochs", "1", "--save", in(name));
        assertEquals(0, longName.code(), longName.toString());
        assertEquals("2", Checkpoint.read(dir.resolve(name)).get("nabla.epoch"));

        refused(
                "cannot be written (File name too long)",
                "train",
                "--data",
                in("d.csv"),
                "--save",
                in("b".repeat(256) + ".json"));
        refused(
                "the directory " + in("nowhere") + " does not exist",
                "train",
                "--data",
                in("d.csv"),
                "--metrics",
                in("nowhere/m.csv"));
    }

    @Test
    void aFinalSaveThatFailsPutsTheModelInARescueFile() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path metrics = dir.resolve("m.csv");
        // The directory of --save vanishes while the run trains.
        Thread remover = new Thread(() -> {
            try {
                while (!Files.exists(metrics)) {
                    Thread.sleep(5);
                }
                Files.delete(out);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        remover.start();
        Cli r = Cli.run(
                "train",
                "--samples",
                "20000",
                "--epochs",
                "3",
                "--metrics",
                metrics.toString(),
                "--save",
                out.resolve("run.safetensors").toString());
        remover.join();
        assertEquals(Main.EXIT_SAVED_ELSEWHERE, r.code(), r.toString());
        assertTrue(r.errorLine().contains("--save " + out.resolve("run.safetensors") + ": cannot be written"), r.err());
        assertTrue(r.errorLine().contains("the trained model is saved to "), r.err());
        String rescue = r.out()
                .lines()
                .filter(l -> l.startsWith("saved:   "))
                .findFirst()
                .orElseThrow()
                .substring(9);
        Path rescued = Path.of(rescue);
        try {
            assertTrue(rescued.getFileName().toString().matches("nabla-rescued-\\d{8}-\\d{6}-\\d+\\.safetensors"));
            assertEquals("4", Checkpoint.read(rescued).get("nabla.epoch"), "the finished run");
        } finally {
            Files.deleteIfExists(rescued);
        }
    }

    @Test
    void temporaryFilesOfKilledWritesOfTheOutputAreRemovedAndOnlyThose() throws IOException {
        String ckpt = in("run.safetensors");
        List<Path> stale = new ArrayList<>();
        for (String hex : new String[] {"00000000deadbeef", "0123456789abcdef", "7f"}) {
            stale.add(Files.writeString(dir.resolve(".run.safetensors." + hex + ".tmp"), "torn"));
        }
        Path others = Files.writeString(dir.resolve(".other.json.0123456789abcdef.tmp"), "not ours");
        Cli r = Cli.run("train", "--data", in("d.csv"), "--epochs", "1", "--save", ckpt);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("removed 3 temporary files of --save " + ckpt + " that killed runs left"), r.out());
        for (Path p : stale) {
            assertFalse(Files.exists(p), p + " removed");
        }
        assertArrayEquals("not ours".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(others));
    }
}

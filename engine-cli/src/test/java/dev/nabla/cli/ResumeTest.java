package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.data.NpyArray;
import dev.nabla.model.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints written by train and the runs resumed from them: which data, which held-out samples. */
class ResumeTest {
    @TempDir
    Path dir;

    /** Two inputs and a target in [0, 1], {@code rows} of them drawn from {@code seed}, as CSV with a header. */
    private Path csv(String name, int rows, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder("x1,x2,y\n");
        for (int r = 0; r < rows; r++) {
            double a = rng.nextDouble(-1, 1);
            double b = rng.nextDouble(-1, 1);
            sb.append(String.format(Locale.ROOT, "%.6f,%.6f,%.6f%n", a, b, 1 / (1 + Math.exp(-(2 * a - b)))));
        }
        return Files.writeString(dir.resolve(name), sb.toString(), StandardCharsets.UTF_8);
    }

    /**
     * A file name whose UTF-8 bytes outnumber its characters puts a header into the checkpoint
     * whose length in bytes is not its length in characters; the data must still start on a
     * multiple of 8 bytes, and the checkpoint read back and resume.
     */
    @Test
    void aCheckpointOfDataWithANonAsciiNameStaysAlignedAndResumes() throws IOException {
        String name = "données-日本.csv";
        try {
            dir.resolve(name);
        } catch (InvalidPathException e) {
            assumeTrue(
                    false,
                    "this JVM's file names cannot hold " + name + " (sun.jnu.encoding "
                            + System.getProperty("sun.jnu.encoding") + ")");
        }
        Path data = csv(name, 200, 3);
        Path ckpt = dir.resolve("x.safetensors");
        String[] run = {"train", "--data", data.toString(), "--batch", "20", "--backend", "cpu"};
        Cli first = Cli.run(concat(run, "--epochs", "1", "--save", ckpt.toString()));
        assertEquals(0, first.code(), first.toString());

        byte[] bytes = Files.readAllBytes(ckpt);
        long headerLength =
                ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.contains(name), header);
        assertTrue(header.getBytes(StandardCharsets.UTF_8).length > header.length(), "more bytes than characters");
        assertEquals(0, (8 + headerLength) % 8, "the data section starts at 8 + " + headerLength);
        assertTrue(Checkpoint.read(ckpt).get("nabla.data").endsWith(name));

        Cli resumed = Cli.run(concat(run, "--epochs", "2", "--resume", ckpt.toString(), "--save", ckpt.toString()));
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.out().contains("resumed at epoch 2 step 1 (10 steps done)"), resumed.out());
        assertEquals("3", Checkpoint.read(ckpt).get("nabla.epoch"));
    }

    /** Rows of {@code (x1, x2, y)}: the first {@code rows / 2} of class 0, the others of class 1. */
    private Path classSorted(int rows) throws IOException {
        SplittableRandom rng = new SplittableRandom(9);
        StringBuilder sb = new StringBuilder("x1,x2,y\n");
        for (int r = 0; r < rows; r++) {
            sb.append(String.format(
                    Locale.ROOT, "%.6f,%.6f,%d%n", rng.nextDouble(-1, 1), rng.nextDouble(-1, 1), r < rows / 2 ? 0 : 1));
        }
        return Files.writeString(dir.resolve("sorted.csv"), sb.toString(), StandardCharsets.UTF_8);
    }

    private static List<Double> heldOutLosses(String out) {
        List<Double> losses = new ArrayList<>();
        Matcher m = Pattern.compile("^epoch \\d+/\\d+  loss \\S+  held-out loss (\\S+)", Pattern.MULTILINE)
                .matcher(out);
        while (m.find()) {
            losses.add(Double.parseDouble(m.group(1)));
        }
        return losses;
    }

    /**
     * A network that outputs 0 and barely moves (lr 1e-300): its loss on a sample of class 1 is
     * 1/2, on one of class 0 nothing, so its held-out loss is half the share of class 1 among the
     * held-out samples.
     */
    private double classOneShareHeldOut(Path data, String... flags) throws IOException {
        Path zero = Files.writeString(
                dir.resolve("zero.json"),
                "{\"layers\": [{\"inputs\": 2, \"outputs\": 1, \"activation\": \"identity\", "
                        + "\"weights\": [[0, 0]]}]}");
        String[] run = {
            "train",
            "--model",
            zero.toString(),
            "--data",
            data.toString(),
            "--epochs",
            "1",
            "--lr",
            "1e-300",
            "--validation",
            "0.2",
            "--backend",
            "cpu"
        };
        Cli r = Cli.run(concat(run, flags));
        assertEquals(0, r.code(), r.toString());
        List<Double> losses = heldOutLosses(r.out());
        assertEquals(1, losses.size(), r.out());
        return 2 * losses.get(0);
    }

    @Test
    void withShuffleTheHeldOutSamplesAreDrawnFromTheSeedAmongAllOfTheData() throws IOException {
        Path data = classSorted(1000);
        assertEquals(1.0, classOneShareHeldOut(data), "in file order the last rows, here all of class 1");
        double drawn = classOneShareHeldOut(data, "--shuffle", "--seed", "5");
        assertTrue(drawn > 0.3 && drawn < 0.7, "drawn from both classes: " + drawn + " of class 1");
        assertEquals(drawn, classOneShareHeldOut(data, "--shuffle", "--seed", "5"), "the same seed, the same samples");
        assertNotEquals(drawn, classOneShareHeldOut(data, "--shuffle", "--seed", "6"), "another seed, others");

        Cli said = Cli.run("train", "--data", data.toString(), "--epochs", "0", "--validation", "0.2", "--shuffle");
        assertEquals(0, said.code(), said.toString());
        assertTrue(
                said.out().contains("data:    " + data + " (all but the held-out samples), 800 samples"), said.out());
        assertTrue(said.out().contains("held out: " + data + " (drawn from seed 1), 200 samples"), said.out());
    }

    @Test
    void aShuffledRunWithDrawnHeldOutSamplesResumesToTheUninterruptedWeights() throws IOException {
        Path part = dir.resolve("part.safetensors");
        Path whole = dir.resolve("whole.safetensors");
        String[] run = {
            "train", "--samples", "2000", "--batch", "50", "--validation", "0.25", "--shuffle", "--seed", "4"
        };
        Cli straight = Cli.run(concat(run, "--epochs", "3", "--save", whole.toString()));
        assertEquals(0, straight.code(), straight.toString());
        Cli first = Cli.run(concat(run, "--epochs", "1", "--save", part.toString()));
        assertEquals(0, first.code(), first.toString());
        assertEquals("drawn", Checkpoint.read(part).get("nabla.validation_split"));

        Cli resumed = Cli.run(
                "train", "--samples", "2000", "--epochs", "3", "--resume", part.toString(), "--save", part.toString());
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(
                resumed.out().contains("held out: built-in synthetic data (drawn from seed 4), 500 samples"),
                resumed.out());
        assertEquals(heldOutLosses(straight.out()).subList(1, 3), heldOutLosses(resumed.out()));
        assertEquals(
                Checkpoint.read(whole).network(), Checkpoint.read(part).network(), "the uninterrupted run's weights");
    }

    /** A checkpoint from before the held-out samples were drawn held out the last rows, and so does its resumed run. */
    @Test
    void aCheckpointThatDoesNotSayHowItsSamplesWereHeldOutHeldOutTheLastRows() throws IOException {
        Path part = dir.resolve("part.safetensors");
        Cli first = Cli.run(
                "train",
                "--samples",
                "2000",
                "--batch",
                "50",
                "--validation",
                "0.25",
                "--shuffle",
                "--epochs",
                "1",
                "--save",
                part.toString());
        assertEquals(0, first.code(), first.toString());
        rewriteWithout(part, "nabla.validation_split");
        Cli resumed = Cli.run("train", "--samples", "2000", "--epochs", "2", "--resume", part.toString());
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(
                resumed.out().contains("held out: built-in synthetic data (samples 1501 to 2000), 500 samples"),
                resumed.out());
    }

    /** Trains one epoch on {@code data} and saves the checkpoint {@code ckpt}; the flags that resume it follow. */
    private static String[] firstEpoch(Path ckpt, String... data) {
        Cli first = Cli.run(concat(
                concat(new String[] {"train"}, data), "--epochs", "1", "--batch", "20", "--save", ckpt.toString()));
        assertEquals(0, first.code(), first.toString());
        return concat(
                concat(new String[] {"train"}, data),
                "--epochs",
                "2",
                "--resume",
                ckpt.toString(),
                "--save",
                ckpt.toString());
    }

    @Test
    void otherDataWithTheSameNumberOfRowsDoesNotResumeTheRunUnlessAllowed() throws IOException {
        Path a = csv("a.csv", 200, 3);
        Path b = csv("b.csv", 200, 4);
        Path ckpt = dir.resolve("run.safetensors");
        firstEpoch(ckpt, "--data", a.toString());
        String recorded = Checkpoint.read(ckpt).get("nabla.data_identity");
        assertTrue(
                recorded.startsWith("{\"files\": [{\"path\": " + json(a.toString()) + ", \"bytes\": " + Files.size(a)
                        + ", \"modified\": "),
                recorded);
        byte[] before = Files.readAllBytes(ckpt);

        String[] resume = {
            "train", "--data", b.toString(), "--epochs", "2", "--resume", ckpt.toString(), "--save", ckpt.toString()
        };
        Cli refused = Cli.run(resume);
        assertEquals(2, refused.code(), refused.toString());
        assertEquals(1, refused.err().lines().count(), refused.err());
        String line = refused.errorLine();
        Matcher m = Pattern.compile(Pattern.quote("engine: " + ckpt + ": the run trained on " + a)
                        + " \\((\\d+) bytes, modified (\\S+), "
                        + "CRC-32C ([0-9a-f]{8})\\), but this is other data: " + Pattern.quote(b.toString())
                        + " \\((\\d+) bytes, modified (\\S+), CRC-32C ([0-9a-f]{8})\\); resume with the run's data, "
                        + "or add --allow-other-data to go on with this data")
                .matcher(line);
        assertTrue(m.matches(), line);
        assertEquals(Files.size(a), Long.parseLong(m.group(1)));
        assertEquals(Files.getLastModifiedTime(a).toInstant().toString(), m.group(2));
        assertEquals(Files.size(b), Long.parseLong(m.group(4)));
        assertNotEquals(m.group(3), m.group(6));
        assertArrayEquals(before, Files.readAllBytes(ckpt), "the checkpoint is unchanged");
        assertFalse(refused.out().contains("epoch 2/2"), refused.out());

        Cli allowed = Cli.run(concat(resume, "--allow-other-data"));
        assertEquals(0, allowed.code(), allowed.toString());
        assertTrue(allowed.out().contains("resumed at epoch 2 step 1 (10 steps done)"), allowed.out());
        assertTrue(
                Checkpoint.read(ckpt).get("nabla.data_identity").contains(json(b.toString())),
                "the checkpoint now records the data it went on with");
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    @Test
    void theSameBytesCopiedElsewhereWithAnotherTimeResume() throws IOException {
        Path a = csv("a.csv", 200, 3);
        Path ckpt = dir.resolve("run.safetensors");
        firstEpoch(ckpt, "--data", a.toString());
        Path copy =
                Files.copy(a, Files.createDirectory(dir.resolve("elsewhere")).resolve("copy.csv"));
        Files.setLastModifiedTime(copy, FileTime.from(Instant.parse("2001-02-03T04:05:06Z")));
        Cli resumed = Cli.run("train", "--data", copy.toString(), "--epochs", "2", "--resume", ckpt.toString());
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.out().contains("resumed at epoch 2 step 1 (10 steps done)"), resumed.out());
    }

    @Test
    void otherNpyTargetsDoNotResumeTheRun() throws IOException {
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        Path otherY = dir.resolve("other-y.npy");
        double[] xs = new double[200 * 2];
        double[] ys = new double[200];
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = rng.nextDouble(-1, 1);
        }
        for (int i = 0; i < ys.length; i++) {
            ys[i] = rng.nextDouble();
        }
        NpyArray.write(x, xs, 200, 2);
        NpyArray.write(y, ys, 200, 1);
        ys[7] += 0.25;
        NpyArray.write(otherY, ys, 200, 1);
        Path ckpt = dir.resolve("run.safetensors");
        firstEpoch(ckpt, "--data", x.toString(), "--targets", y.toString());
        Cli refused = Cli.run(
                "train",
                "--data",
                x.toString(),
                "--targets",
                otherY.toString(),
                "--epochs",
                "2",
                "--resume",
                ckpt.toString());
        assertEquals(2, refused.code(), refused.toString());
        String line = refused.errorLine();
        assertTrue(line.contains("the run trained on " + x + " ("), line);
        assertTrue(line.contains(") and " + y + " ("), line);
        assertTrue(line.contains("but this is other data: " + x + " ("), line);
        assertTrue(line.contains(") and " + otherY + " ("), line);

        Cli same = Cli.run(
                "train",
                "--data",
                x.toString(),
                "--targets",
                y.toString(),
                "--epochs",
                "2",
                "--resume",
                ckpt.toString());
        assertEquals(0, same.code(), same.toString());
    }

    /** Half held out: 1000 and 1001 built-in samples both leave 500 to train on, and are other data all the same. */
    @Test
    void otherBuiltInDataWithTheSameNumberToTrainOnDoesNotResumeTheRun() {
        Path ckpt = dir.resolve("run.safetensors");
        firstEpoch(ckpt, "--samples", "1000", "--validation", "0.5");
        assertEquals(
                "{\"synthetic\": {\"samples\": 1000, \"seed\": \"1\"}}",
                Checkpoint.read(ckpt).get("nabla.data_identity"));
        Cli refused = Cli.run("train", "--samples", "1001", "--epochs", "2", "--resume", ckpt.toString());
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(
                refused.errorLine()
                        .contains("the run trained on built-in synthetic data (1000 samples, seed 1), "
                                + "but this is other data: built-in synthetic data (1001 samples, seed 1); "),
                refused.errorLine());
        Cli same = Cli.run("train", "--samples", "1000", "--epochs", "2", "--resume", ckpt.toString());
        assertEquals(0, same.code(), same.toString());
    }

    /** Checkpoints written before the data's identity was recorded resume on any data of the right size, as they did. */
    @Test
    void aCheckpointWithoutTheDataIdentityResumesUnchecked() throws IOException {
        Path a = csv("a.csv", 200, 3);
        Path b = csv("b.csv", 200, 4);
        Path ckpt = dir.resolve("old.safetensors");
        firstEpoch(ckpt, "--data", a.toString());
        rewriteWithout(ckpt, "nabla.data_identity");
        Cli resumed = Cli.run("train", "--data", b.toString(), "--epochs", "2", "--resume", ckpt.toString());
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.out().contains("resumed at epoch 2 step 1 (10 steps done)"), resumed.out());
    }

    @Test
    void allowingOtherDataNeedsAResumedRunAndIsInTheHelp() {
        Cli r = Cli.run("train", "--samples", "100", "--allow-other-data");
        assertEquals(2, r.code(), r.toString());
        assertEquals("engine: --allow-other-data applies only to --resume", r.errorLine());
        Cli help = Cli.run("train", "--help");
        assertTrue(help.out().contains("--allow-other-data"), help.out());
    }

    /** Writes the checkpoint again without some of its metadata, as an older Nabla wrote it. */
    static void rewriteWithout(Path ckpt, String... keys) {
        Checkpoint c = Checkpoint.read(ckpt);
        Map<String, String> m = new LinkedHashMap<>(c.metadata());
        for (String k : keys) {
            assertTrue(m.remove(k) != null, "the checkpoint has " + k);
        }
        Checkpoint.write(ckpt, c.network(), !c.get("nabla.precision").equals("fp64"), m);
    }

    static String[] concat(String[] head, String... tail) {
        String[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}

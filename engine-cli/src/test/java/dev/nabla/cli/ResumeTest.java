package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.model.Checkpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
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

    static String[] concat(String[] head, String... tail) {
        String[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}

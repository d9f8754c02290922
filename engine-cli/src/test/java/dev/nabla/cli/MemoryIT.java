package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Activation;
import dev.nabla.model.ModelFile;
import dev.nabla.model.Network;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine jar in a JVM of its own with a small heap: what does not fit is refused before it is
 * allocated, and what runs out of memory anyway is one line; both exit with code 1, and neither
 * prints a stack trace unless asked to with --verbose.
 */
class MemoryIT {
    /** The heap these runs get. */
    private static final String HEAP = "-Xmx64m";

    private static final Pattern HEAP_LINE = Pattern.compile("\\(the heap is at most \\d+\\.\\d MiB\\)");

    private record Run(int code, String out, String err) {
        String all() {
            return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }

        /** The one line on stderr. */
        String line() {
            assertEquals(1, err.lines().count(), "one line on stderr: " + all());
            assertFalse(err.contains("\tat "), "no stack trace: " + all());
            return err.strip();
        }
    }

    /** {@code java -XmxH -jar engine.jar args} in {@code dir}. */
    private static Run engine(Path dir, String heap, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap,
                "-jar",
                System.getProperty("engine.jar", "target/engine.jar")));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 120 s");
        }
        return new Run(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static Path csv(Path dir, String name, int rows, int cols) throws IOException {
        Path f = dir.resolve(name);
        SplittableRandom rng = new SplittableRandom(5);
        try (BufferedWriter w = Files.newBufferedWriter(f, StandardCharsets.US_ASCII)) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    w.write(String.format(Locale.ROOT, c == 0 ? "%.6f" : ",%.6f", rng.nextDouble()));
                }
                w.write('\n');
            }
        }
        return f;
    }

    private static Path layers(Path dir, String name, int... widths) throws IOException {
        StringBuilder sb = new StringBuilder("{\"layers\": [");
        for (int l = 0; l + 1 < widths.length; l++) {
            sb.append(l == 0 ? "" : ", ")
                    .append("{\"inputs\": ")
                    .append(widths[l])
                    .append(", \"outputs\": ")
                    .append(widths[l + 1])
                    .append(", \"activation\": \"sigmoid\"}");
        }
        return Files.writeString(dir.resolve(name), sb.append("]}").toString());
    }

    @Test
    void builtInDataTooLargeForTheHeapIsRefusedBeforeItIsMade(@TempDir Path dir) throws Exception {
        Run r = engine(dir, HEAP, "train", "--samples", "50000000");
        assertEquals(1, r.code(), r.all());
        assertEquals("", r.out(), "refused before the model and data lines: " + r.all());
        String line = r.line();
        assertTrue(
                line.startsWith("engine: not enough memory: the built-in data (50,000,000 samples of 16 inputs and 4"
                        + " targets) needs 8,000,000,000 bytes (7.5 GiB) of Java heap, but "),
                line);
        assertTrue(HEAP_LINE.matcher(line).find(), line);
        assertTrue(
                line.endsWith("; give Java a larger heap (NABLA_JAVA_OPTS=-Xmx10g with bin/nabla, java -Xmx10g"
                        + " otherwise), use fewer --samples, or give the data as .npy files (memory-mapped, off the"
                        + " heap)"),
                line);
    }

    @Test
    void weightsTooLargeForTheHeapAreRefusedBeforeTheyAreDrawn(@TempDir Path dir) throws Exception {
        Path model = layers(dir, "big.json", 4, 20000, 20000, 2);
        Path data = csv(dir, "d.csv", 200, 6);
        Run r = engine(dir, HEAP, "train", "--model", model.toString(), "--data", data.toString());
        assertEquals(1, r.code(), r.all());
        String line = r.line();
        assertTrue(
                line.startsWith("engine: not enough memory: drawing layer 2's 20,000 x 20,000 weights (the model file"
                        + " gives none) needs 6,400,000,000 bytes (6.0 GiB) of Java heap, but "),
                line);
        assertTrue(line.endsWith(" otherwise) or use a smaller network"), line);
    }

    @Test
    void aNetworkWhoseTrainerDoesNotFitIsRefusedBeforeTheTrainerIsBuilt(@TempDir Path dir) throws Exception {
        // 2,280,000 parameters: 18 MB of weights fit in the heap, the CPU backend's copy and gradients do not.
        Path model = layers(dir, "mid.json", 16, 1500, 1500, 4);
        Run r = engine(dir, HEAP, "train", "--model", model.toString(), "--samples", "1000", "--backend", "cpu");
        assertEquals(1, r.code(), r.all());
        assertTrue(r.out().contains("device:  CPU backend"), "refused after the backend opened: " + r.all());
        String line = r.line();
        assertTrue(
                line.startsWith("engine: not enough memory: the 16-1500-1500-4 network (2,280,000 parameters) on cpu"
                        + " fp64, with its gradients and the buffers of 1 sample at a time needs 57,600,584 bytes"
                        + " (54.9 MiB) of Java heap, but "),
                line);
        assertTrue(line.endsWith(" otherwise) or use a smaller network (not even one sample at a time fits)"), line);
    }

    @Test
    void aMicroBatchTooLargeForTheHeapIsRefusedWithTheLargestThatFits(@TempDir Path dir) throws Exception {
        Path model = layers(dir, "wide.json", 16, 4096, 4);
        Run r = engine(
                dir,
                "-Xmx128m",
                "train",
                "--model",
                model.toString(),
                "--samples",
                "100000",
                "--batch",
                "100000",
                "--micro-batch",
                "100000",
                "--backend",
                "cpu");
        assertEquals(1, r.code(), r.all());
        String line = r.line();
        assertTrue(
                line.startsWith("engine: not enough memory: the 16-4096-4 network (81,920 parameters) on cpu fp64, with"
                        + " its gradients and the buffers of 100,000 samples at a time needs 6,814,635,048 bytes"
                        + " (6.3 GiB) of Java heap, but "),
                line);
        assertTrue(
                Pattern.compile("otherwise\\), use --micro-batch \\d+ or less \\(the most that fits\\), or give the"
                                + " data as \\.npy files \\(memory-mapped, off the heap\\)$")
                        .matcher(line)
                        .find(),
                line);
    }

    @Test
    void aModelFileTooLargeToParseIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        // About 32 MB of JSON as the engine writes it; parsing it takes four times that at least.
        Path model = dir.resolve("weights.json");
        ModelFile.write(
                Network.builder(16)
                        .dense(1200, Activation.SIGMOID, true)
                        .dense(1200, Activation.SIGMOID, true)
                        .dense(4, Activation.SIGMOID, true)
                        .build(3),
                model);
        long size = Files.size(model);
        assertTrue(size > 25_000_000, "a file of " + size + " bytes");
        Run r = engine(dir, HEAP, "train", "--model", model.toString(), "--samples", "100");
        assertEquals(1, r.code(), r.all());
        String line = r.line();
        assertTrue(
                line.startsWith(String.format(
                        Locale.ROOT,
                        "engine: not enough memory: parsing %s (%,d bytes of model JSON) needs %,d bytes",
                        model,
                        size,
                        4 * size)),
                line);
        assertTrue(line.contains("give Java a larger heap (NABLA_JAVA_OPTS=-Xmx"), line);
    }

    @Test
    void runningOutOfMemoryPastTheEstimateIsOneLineAndTheStackTraceOnlyWithVerbose(@TempDir Path dir) throws Exception {
        // 8 MB of "0," passes the check of four bytes a byte, but parsing a number takes some 80 bytes.
        Path model = dir.resolve("zeros.json");
        int rows = 1000;
        int cols = 4000;
        try (BufferedWriter w = Files.newBufferedWriter(model, StandardCharsets.US_ASCII)) {
            w.write("{\"layers\": [{\"inputs\": " + cols + ", \"outputs\": " + rows
                    + ", \"activation\": \"sigmoid\", \"weights\": [");
            String row = "[" + "0,".repeat(cols - 1) + "0]";
            for (int j = 0; j < rows; j++) {
                w.write(j == 0 ? row : "," + row);
            }
            w.write("]}]}");
        }
        Run r = engine(dir, HEAP, "train", "--model", model.toString(), "--samples", "100");
        assertEquals(1, r.code(), r.all());
        String line = r.line();
        assertTrue(
                Pattern.compile("^engine: out of memory: Java heap space \\(the Java heap is at most \\d+\\.\\d MiB\\);"
                                + " give Java more with NABLA_JAVA_OPTS=-Xmx\\d+m \\(bin/nabla\\) or java -Xmx\\d+m,"
                                + " compute fewer samples at once \\(--micro-batch for train, --batch for predict and"
                                + " evaluate\\), or give the data as \\.npy files \\(memory-mapped, off the heap\\)$")
                        .matcher(line)
                        .find(),
                line);

        Run verbose = engine(dir, HEAP, "train", "--model", model.toString(), "--samples", "100", "--verbose");
        assertEquals(1, verbose.code(), verbose.all());
        assertTrue(verbose.err().startsWith(line + "\n"), verbose.all());
        assertTrue(verbose.err().contains("java.lang.OutOfMemoryError: Java heap space"), verbose.all());
        assertTrue(verbose.err().contains("\tat dev.nabla.json.JsonParser"), verbose.all());
    }

    @Test
    void csvDataTooLargeForTheHeapRunsOutInOneLine(@TempDir Path dir) throws Exception {
        // 36 MB of CSV: a table of 32 MB of doubles, grown while it is read and then split in two.
        Path data = csv(dir, "big.csv", 400_000, 10);
        Run r = engine(dir, HEAP, "train", "--data", data.toString(), "--epochs", "1");
        assertEquals(1, r.code(), r.all());
        assertTrue(r.line().startsWith("engine: out of memory: Java heap space (the Java heap is at most "), r.all());
    }
}

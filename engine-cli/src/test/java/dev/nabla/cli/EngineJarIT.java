package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.model.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code engine.jar}, run as a user runs it: its own JVM, real exit codes. */
class EngineJarIT {

    private record Run(int code, String out, String err) {}

    private static Run engine(Path dir, String... args) throws IOException, InterruptedException {
        return java(dir, List.of(), args);
    }

    /** {@code java [jvmArgs] -jar engine.jar args}. */
    private static Run java(Path dir, List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        String jar = System.getProperty("engine.jar", "target/engine.jar");
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "engine " + String.join(" ", args) + " finishes");
        return new Run(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void theJarRunsTheExampleWithItsBackendsFound(@TempDir Path dir) throws Exception {
        Run r = engine(dir, "example");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("W5+           = 0.43703857"), r.out());
        assertTrue(r.out().contains("error fell by = 0.00073556"), r.out());
    }

    @Test
    void withTheVectorApiModuleTheCpuBackendUsesItsVectorizedKernels(@TempDir Path dir) throws Exception {
        Run plain = engine(dir, "devices");
        assertTrue(
                plain.out().contains("plain loops (start Java with --add-modules jdk.incubator.vector"), plain.out());
        Run vector = java(dir, List.of("--add-modules", "jdk.incubator.vector"), "devices");
        assertEquals(0, vector.code(), vector.err());
        assertTrue(vector.out().contains("kernels: vectorized (Vector API"), vector.out());
        Run example = java(dir, List.of("--add-modules", "jdk.incubator.vector"), "example", "--backend", "cpu");
        assertTrue(example.out().contains("W5+           = 0.43703857"), example.out());
    }

    @Test
    void theJarExitsWith2OnBadInputAnd0OnHelp(@TempDir Path dir) throws Exception {
        Run bad = engine(dir, "train", "--batch", "0");
        assertEquals(2, bad.code(), bad.out() + bad.err());
        assertEquals("engine: --batch must be at least 1, not 0", bad.err().strip());
        assertEquals(0, engine(dir, "--version").code());
    }

    @Test
    void theJarTrainsAndSaves(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("m.json");
        Run r = engine(dir, "train", "--samples", "5000", "--epochs", "2", "--save", saved.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("samples/s"), r.out());
        assertTrue(Files.readString(saved).startsWith("{\"loss\": \"mse\""));
    }

    private static Process start(Path dir, String... args) throws IOException {
        String jar = System.getProperty("engine.jar", "target/engine.jar");
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("log.txt").toFile())
                .start();
    }

    private static void signal(Process p, String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start().waitFor();
    }

    /** Waits until the checkpoint exists and has recorded at least {@code steps} steps. */
    private static void awaitCheckpoint(Path f, long steps, Process p) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                if (Files.exists(f) && Long.parseLong(Checkpoint.read(f).get("nabla.steps_done")) >= steps) {
                    return;
                }
            } catch (RuntimeException e) {
                // being replaced right now; look again
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no checkpoint of " + steps + " steps at " + f + " in time");
    }

    @Test
    void ctrlCStopsWritesACheckpointAndTheResumedRunEndsWithTheUninterruptedWeights(@TempDir Path dir)
            throws Exception {
        String[] run = {
            "train",
            "--samples",
            "40000",
            "--epochs",
            "4",
            "--batch",
            "64",
            "--shuffle",
            "--seed",
            "3",
            "--validation",
            "0.1"
        };
        Path full = dir.resolve("full.safetensors");
        Run straight = engine(dir, concat(run, "--save", full.toString()));
        assertEquals(0, straight.code(), straight.out());

        Path part = dir.resolve("part.safetensors");
        Process p = start(dir, concat(run, "--save", part.toString(), "--checkpoint-every", "100"));
        awaitCheckpoint(part, 700, p); // into the second epoch
        signal(p, "INT");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String log = Files.readString(dir.resolve("log.txt"));
        assertEquals(130, p.exitValue(), log);
        assertTrue(log.contains("interrupted after"), log);
        assertTrue(log.contains("resume with --resume " + part), log);

        Run resumed = engine(dir, concat(run, "--resume", part.toString(), "--save", part.toString()));
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("resumed at epoch"), resumed.out());
        assertEquals(
                Checkpoint.read(full).network(),
                Checkpoint.read(part).network(),
                "the resumed run ends with the uninterrupted run's weights, bit for bit");
    }

    @Test
    void aRunKilledWhileWritingCheckpointsLeavesTheLastGoodOneReadable(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("wide.json");
        Files.writeString(
                model,
                "{\"layers\": [{\"inputs\": 16, \"outputs\": 600, \"activation\": \"tanh\"},"
                        + " {\"inputs\": 600, \"outputs\": 600, \"activation\": \"tanh\"},"
                        + " {\"inputs\": 600, \"outputs\": 4, \"activation\": \"sigmoid\"}]}");
        Path ckpt = dir.resolve("ckpt.safetensors");
        java.util.Random rng = new java.util.Random(7);
        for (int round = 0; round < 5; round++) {
            // Every step writes a 3 MB checkpoint, so most instants fall inside a write.
            Process p = start(
                    dir,
                    "train",
                    "--model",
                    model.toString(),
                    "--samples",
                    "5000",
                    "--batch",
                    "16",
                    "--epochs",
                    "50",
                    "--save",
                    ckpt.toString(),
                    "--checkpoint-every",
                    "1");
            awaitCheckpoint(ckpt, 1, p);
            Thread.sleep(rng.nextInt(300));
            signal(p, "KILL");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            Checkpoint c = Checkpoint.read(ckpt); // throws if the kill left it torn
            assertEquals(3, c.network().depth());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

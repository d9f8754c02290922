package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.cli.EngineProcess.Run;
import dev.nabla.model.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code engine.jar}, run as a user runs it: its own JVM, real exit codes. */
class EngineJarIT {

    private static Run engine(Path dir, String... args) throws IOException, InterruptedException {
        return java(dir, List.of(), args);
    }

    /** {@code java [jvmArgs] -jar engine.jar args}. */
    private static Run java(Path dir, List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        return EngineProcess.run(dir, EngineProcess.command(List.of(), jvmArgs, args));
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
        return EngineProcess.start(dir, dir.resolve("log.txt"), args);
    }

    private static void signal(Process p, String name) throws Exception {
        EngineProcess.signal(p, name);
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
        interruptResumeAndCompare(dir, run, 700); // into the second epoch
    }

    /**
     * As above for a classifier trained with Adam on a cosine schedule after a warm-up: the
     * moments, the update count and the schedule's place all come back from the checkpoint.
     */
    @Test
    void anAdamRunOnACosineScheduleStoppedByCtrlCResumesToTheUninterruptedWeights(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        for (int r = 0; r < 20000; r++) {
            int c = rng.nextInt(4);
            csv.append(rng.nextGaussian() + c)
                    .append(',')
                    .append(rng.nextGaussian() - c)
                    .append(',')
                    .append(c)
                    .append('\n');
        }
        Path data = Files.writeString(dir.resolve("classes.csv"), csv);
        String[] run = {
            "train",
            "--data",
            data.toString(),
            "--labels",
            "--optimizer",
            "adam",
            "--lr",
            "0.01",
            "--weight-decay",
            "0.001",
            "--lr-schedule",
            "cosine",
            "--warmup",
            "50",
            "--epochs",
            "4",
            "--batch",
            "32",
            "--shuffle"
        };
        interruptResumeAndCompare(dir, run, 900); // into the second epoch of 625 steps
    }

    /** Runs {@code run} straight, then again stopped by Ctrl-C after {@code steps} steps and resumed: the same weights. */
    private void interruptResumeAndCompare(Path dir, String[] run, long steps) throws Exception {
        Path full = dir.resolve("full.safetensors");
        Run straight = engine(dir, concat(run, "--save", full.toString()));
        assertEquals(0, straight.code(), straight.out());

        Path part = dir.resolve("part.safetensors");
        Process p = start(dir, concat(run, "--save", part.toString(), "--checkpoint-every", "100"));
        awaitCheckpoint(part, steps, p);
        signal(p, "INT");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String log = Files.readString(dir.resolve("log.txt"));
        assertEquals(130, p.exitValue(), log);
        assertTrue(log.contains("interrupted after"), log);
        assertTrue(log.contains("resume with --resume " + part), log);

        Run resumed = engine(dir, concat(run, "--resume", part.toString(), "--save", part.toString()));
        assertEquals(0, resumed.code(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("resumed at epoch"), resumed.out());
        Checkpoint straightEnd = Checkpoint.read(full);
        Checkpoint resumedEnd = Checkpoint.read(part);
        assertEquals(
                straightEnd.network(),
                resumedEnd.network(),
                "the resumed run ends with the uninterrupted run's weights, bit for bit");
        assertEquals(
                straightEnd.optimizerTensors().keySet(),
                resumedEnd.optimizerTensors().keySet());
        for (String name : straightEnd.optimizerTensors().keySet()) {
            assertArrayEquals(
                    straightEnd.optimizerTensors().get(name),
                    resumedEnd.optimizerTensors().get(name),
                    name);
        }
    }

    /**
     * Twenty kill -9 at random instants of a run that writes a 3 MB checkpoint every step (so most
     * instants fall inside a write), each round resuming the last: every checkpoint left reads, the
     * metrics file covers every step it records, the temporary files the kills leave are removed by
     * the next run, and the run, finished at last, ends with the weights of one never interrupted.
     * Where none of the twenty happened to fall inside a write (a fast or a busy machine moves the
     * instants), more rounds follow, up to {@value #MOST_KILLS}, until one does.
     */
    /** The rounds of kills at the most: a kill inside a write, at random instants, is all but certain by then. */
    private static final int MOST_KILLS = 80;

    @Test
    void twentyKillsDuringCheckpointWritesLoseNothingAndTheResumedRunIsExact(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("wide.json");
        Files.writeString(
                model,
                "{\"layers\": [{\"inputs\": 16, \"outputs\": 600, \"activation\": \"tanh\"},"
                        + " {\"inputs\": 600, \"outputs\": 600, \"activation\": \"tanh\"},"
                        + " {\"inputs\": 600, \"outputs\": 4, \"activation\": \"sigmoid\"}]}");
        Path ckpt = dir.resolve("ckpt.safetensors");
        Path metrics = dir.resolve("metrics.csv");
        String[] run = {"--samples", "4000", "--batch", "16", "--shuffle", "--seed", "5"};
        java.util.Random rng = new java.util.Random(7);
        long steps = 0;
        int cleanedUp = 0;
        for (int round = 0; round < 20 || (cleanedUp == 0 && round < MOST_KILLS); round++) {
            Process p = start(
                    dir,
                    concat(
                            concat(new String[] {"train"}, run),
                            round == 0
                                    ? new String[] {"--model", model.toString()}
                                    : new String[] {"--resume", ckpt.toString()},
                            new String[] {
                                "--epochs",
                                "50",
                                "--save",
                                ckpt.toString(),
                                "--checkpoint-every",
                                "1",
                                "--metrics",
                                metrics.toString()
                            }));
            awaitCheckpoint(ckpt, steps + 1, p);
            Thread.sleep(rng.nextInt(300));
            signal(p, "KILL");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            String log = Files.readString(dir.resolve("log.txt"));
            if (log.contains("temporary file")) {
                cleanedUp++;
            }
            Checkpoint c = Checkpoint.read(ckpt); // throws if the kill left it torn
            assertEquals(3, c.network().depth());
            long done = Long.parseLong(c.get("nabla.steps_done"));
            assertTrue(done > steps, "round " + round + " made progress");
            steps = done;
            List<String> rows = Files.readAllLines(metrics);
            long lastRow = Long.parseLong(rows.get(rows.size() - 1).split(",")[0]);
            assertTrue(lastRow >= steps, "the metrics reach the checkpoint's step " + steps + ": " + lastRow);
        }
        assertTrue(cleanedUp > 0, "some kill fell inside a write, and the next run removed what it left");

        int epoch = Integer.parseInt(Checkpoint.read(ckpt).get("nabla.epoch"));
        Run finished = engine(
                dir,
                concat(
                        concat(new String[] {"train"}, run),
                        "--resume",
                        ckpt.toString(),
                        "--epochs",
                        Integer.toString(epoch),
                        "--save",
                        ckpt.toString()));
        assertEquals(0, finished.code(), finished.out() + finished.err());
        try (var left = Files.list(dir)) {
            assertEquals(
                    List.of(),
                    left.map(f -> f.getFileName().toString())
                            .filter(n -> n.endsWith(".tmp"))
                            .toList(),
                    "no temporary file is left");
        }
        Path straight = dir.resolve("straight.safetensors");
        Run once = engine(
                dir,
                concat(
                        concat(new String[] {"train"}, run),
                        "--model",
                        model.toString(),
                        "--epochs",
                        Integer.toString(epoch),
                        "--save",
                        straight.toString()));
        assertEquals(0, once.code(), once.out() + once.err());
        assertEquals(
                Checkpoint.read(straight).network(),
                Checkpoint.read(ckpt).network(),
                "twenty kills and resumes end with the uninterrupted run's weights, bit for bit");
    }

    private static String[] concat(String[] a, String[] b, String[] c) {
        return concat(concat(a, b), c);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

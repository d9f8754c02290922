package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.cli.EngineProcess.Run;
import dev.nabla.model.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/nabla train --spark}, as a user runs it: the launcher finds engine-spark and Spark's
 * jars, and a driver killed with {@code kill -9} leaves its last {@code --checkpoint-every}
 * checkpoint, from which {@code --resume} ends with the uninterrupted run's weights, bit for bit.
 */
class SparkLauncherIT {
    /** 9 steps an epoch (9,000 samples to train on, batches of 1,000), 27 in all. */
    private static final List<String> RUN = List.of(
            "train",
            "--spark",
            "local[2,4]",
            "--partitions",
            "2",
            "--samples",
            "10000",
            "--validation",
            "0.1",
            "--epochs",
            "3",
            "--batch",
            "1000",
            "--shuffle",
            "--optimizer",
            "adam",
            "--backend",
            "cpu");

    private static List<String> command(String... more) {
        List<String> c = new ArrayList<>();
        c.add(LauncherIT.launcher().toString());
        c.addAll(RUN);
        c.addAll(Arrays.asList(more));
        return c;
    }

    private static ProcessBuilder inDir(Path dir, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("NABLA_JAVA_OPTS");
        return pb;
    }

    private static long stepsDone(Path checkpoint) {
        try {
            return Files.exists(checkpoint)
                    ? Long.parseLong(Checkpoint.read(checkpoint).get("nabla.steps_done"))
                    : 0;
        } catch (RuntimeException e) {
            return 0; // being replaced right now
        }
    }

    @Test
    void aKilledDriverLeavesItsLastCheckpointAndTheResumedRunEndsBitForBit(@TempDir Path dir) throws Exception {
        Path full = dir.resolve("full.safetensors");
        Run straight = EngineProcess.run(inDir(dir, command("--save", full.toString())));
        assertEquals(0, straight.code(), straight.all());
        assertTrue(straight.out().contains("  partitions 0, 1: executor driver on "), straight.out());
        assertTrue(straight.out().contains("exchange: collect over 2 partitions"), straight.out());

        Path part = dir.resolve("part.safetensors");
        Path log = dir.resolve("log.txt");
        Process p = inDir(dir, command("--save", part.toString(), "--checkpoint-every", "3"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (stepsDone(part) < 12 && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly(); // kill -9: no shutdown hook, no final save
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        assertNotEquals(0, p.exitValue(), "killed mid-run: " + Files.readString(log));
        long at = stepsDone(part);
        assertTrue(at >= 12 && at < 27 && at % 3 == 0, "the last checkpoint, mid-run: step " + at);

        Run resumed = EngineProcess.run(inDir(dir, command("--resume", part.toString(), "--save", part.toString())));
        assertEquals(0, resumed.code(), resumed.all());
        assertTrue(resumed.out().contains("resumed at epoch "), resumed.out());
        Checkpoint a = Checkpoint.read(full);
        Checkpoint b = Checkpoint.read(part);
        assertEquals(a.network(), b.network(), "the uninterrupted run's weights, bit for bit");
        for (String name : a.optimizerTensors().keySet()) {
            assertArrayEquals(
                    a.optimizerTensors().get(name), b.optimizerTensors().get(name), name);
        }
    }

    @Test
    void missingDataIsOneLineAndExit2(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("none.csv");
        Run r = EngineProcess.run(inDir(
                dir,
                List.of(
                        LauncherIT.launcher().toString(),
                        "train",
                        "--spark",
                        "local[2]",
                        "--data",
                        missing.toString())));
        assertEquals(2, r.code(), r.all());
        assertEquals(1, r.errLines().size(), r.all());
        assertTrue(
                r.errLines().get(0).startsWith("engine: ")
                        && r.errLines().get(0).contains(missing.toString()),
                r.all());
    }
}

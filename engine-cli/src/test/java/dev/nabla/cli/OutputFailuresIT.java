package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.cli.EngineProcess.Run;
import dev.nabla.model.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Side outputs that fail while the engine runs, in its own process. A full disk is stood in for by
 * a file-size limit ({@code ulimit -f}): past it, a write fails with "File too large" as it would
 * with "No space left on device", and no root or mount is needed. The model's checkpoint stays
 * under the limit, the metrics file and the plot pass it.
 */
class OutputFailuresIT {
    /** A limit of 48 KiB on every file the engine writes. */
    private static final List<String> SMALL_DISK = List.of("bash", "-c", "ulimit -f 48 && exec \"$0\" \"$@\"");

    private static Run engineOnASmallDisk(Path dir, String... args) throws Exception {
        return EngineProcess.run(dir, EngineProcess.command(SMALL_DISK, List.of(), args));
    }

    @Test
    void metricsThatCannotBeWrittenAreOneWarningAndTheRunGoesOnToItsSave(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("run.safetensors");
        Run r = engineOnASmallDisk(
                dir,
                "train",
                "--samples",
                "20000",
                "--batch",
                "16",
                "--epochs",
                "3",
                "--metrics",
                dir.resolve("m.csv").toString(),
                "--save",
                ckpt.toString());
        assertEquals(Main.EXIT_SIDE_OUTPUT, r.code(), r.out() + r.err());
        assertEquals(
                List.of("engine: warning: --metrics " + dir.resolve("m.csv")
                        + ": cannot be written (File too large); the run goes on without it"),
                r.err()
                        .lines()
                        .filter(l -> !l.startsWith("WARNING: Using incubator"))
                        .toList());
        assertTrue(r.out().contains("epoch 3/3"), r.out());
        assertTrue(r.out().contains("saved:   " + ckpt), r.out());
        assertEquals("4", Checkpoint.read(ckpt).get("nabla.epoch"), "the whole run is saved");
    }

    @Test
    void aPlotThatCannotBeWrittenIsOneLineWithoutAStackTrace(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.json");
        Run r = engineOnASmallDisk(
                dir,
                "train",
                "--samples",
                "20000",
                "--batch",
                "16",
                "--epochs",
                "1",
                "--plot",
                dir.resolve("loss.png").toString(),
                "--save",
                model.toString());
        assertEquals(Main.EXIT_SIDE_OUTPUT, r.code(), r.out() + r.err());
        List<String> err = r.err()
                .lines()
                .filter(l -> !l.startsWith("WARNING: Using incubator"))
                .toList();
        assertEquals(1, err.size(), r.err());
        assertEquals(
                "engine: warning: --plot " + dir.resolve("loss.png")
                        + ": cannot be written (File too large); the run goes on without it",
                err.get(0));
        assertFalse(r.out().contains("Exception") || r.out().contains("\tat "), r.out());
        assertTrue(Files.exists(model), "the model is saved");
        try (var left = Files.list(dir)) {
            assertTrue(left.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void predictWritesToStandardOutputWhenAskedAndSaysTheRestOnStderr(@TempDir Path dir) throws Exception {
        Path data = Files.writeString(dir.resolve("d.csv"), "0.1,0.2\n0.3,0.4\n");
        Path model = Files.writeString(
                dir.resolve("m.json"),
                "{\"layers\": [{\"inputs\": 2, \"outputs\": 1, \"activation\": \"identity\","
                        + " \"weights\": [[1, 1]]}]}");
        for (String out : new String[] {"-", "/dev/stdout"}) {
            Run r = EngineProcess.run(
                    dir,
                    EngineProcess.command(
                            List.of(),
                            List.of(),
                            "predict",
                            "--model",
                            model.toString(),
                            "--data",
                            data.toString(),
                            "--out",
                            out));
            assertEquals(0, r.code(), r.err());
            assertEquals(
                    List.of("o1", "0.30000000000000004", "0.7"), r.out().lines().toList(), out);
            assertTrue(r.err().contains("wrote 2 predictions to " + out), r.err());
        }
    }
}

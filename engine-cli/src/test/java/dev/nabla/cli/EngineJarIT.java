package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged {@code engine.jar}, run as a user runs it: its own JVM, real exit codes. */
class EngineJarIT {

    private record Run(int code, String out, String err) {
    }

    private static Run engine(Path dir, String... args) throws IOException, InterruptedException {
        String jar = System.getProperty("engine.jar", "target/engine.jar");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "engine " + String.join(" ", args) + " finishes");
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
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
}

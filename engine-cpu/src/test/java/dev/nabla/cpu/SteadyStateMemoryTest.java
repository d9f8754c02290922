package dev.nabla.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Training steps on the CPU backend allocate nothing on the Java heap once warm, counted with the
 * JVM's per-thread allocation counters on the training thread and the backend's worker threads:
 * for the {@code mnist} workload (the layer-by-layer path and the vectorized products) in both
 * precisions, and for the document's network (the fused path). Each is a training process of its
 * own ({@link StepAllocations}), as a user's run is.
 */
class SteadyStateMemoryTest {
    private static final Pattern RESULT = Pattern.compile("bytes per step: (\\d+)");

    /** Runs {@link StepAllocations} in a JVM of its own and returns the bytes per step it printed. */
    private static long measure(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules",
                "jdk.incubator.vector",
                "-cp",
                System.getProperty("java.class.path"),
                StepAllocations.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the measuring process finishes");
        assertEquals(0, p.exitValue(), out);
        Matcher m = RESULT.matcher(out);
        assertTrue(m.find(), out);
        System.out.println("[allocation] " + String.join(" ", args) + ": " + m.group(1) + " bytes per step");
        return Long.parseLong(m.group(1));
    }

    @Test
    void theCountersSeeAnAllocationAndReadingThemAllocatesNothing() throws Exception {
        assertTrue(measure("allocating") >= 128 * 8, "a kept array of 128 longs per step is seen");
        assertEquals(0, measure("empty"), "an empty step");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"mnist, fp64", "mnist, fp32", "document, fp64"})
    void trainingStepsAllocateNothing(String network, String precision) throws Exception {
        assertEquals(0, measure(network, precision), "bytes allocated per " + network + " " + precision + " step");
    }
}

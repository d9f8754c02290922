package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code engine bench}: its table, its JSON, the peer comparison, and its bad input. */
class BenchCommandTest {
    @TempDir
    Path dir;

    private static final String QUICK = "--min-seconds 0.05 --max-seconds 1 --repeats 2 --square 384";

    private static Cli bench(String args) {
        return Cli.run(("bench " + args).split(" "));
    }

    @Test
    void measuresTheWorkloadOnTheCpuAndWritesJson() throws IOException {
        Path json = dir.resolve("bench.json");
        Cli r = bench("--workload mnist --backend cpu " + QUICK + " --json " + json);
        assertEquals(0, r.code(), r.toString());
        Matcher row = Pattern.compile("mnist +784-256-256-10 +1,024 +cpu +(fp64|fp32) +([\\d,]+) +([\\d.]+) +±")
                .matcher(r.out());
        int rows = 0;
        while (row.find()) {
            rows++;
            double samples = Double.parseDouble(row.group(2).replace(",", ""));
            double gflops = Double.parseDouble(row.group(3));
            // GFLOP/s is 6 x weights x samples/s: mnist has 784*256 + 256*256 + 256*10 weights.
            assertEquals(6.0 * (784 * 256 + 256 * 256 + 2560) * samples / 1e9, gflops, 0.01 + 1e-3 * gflops, r.out());
        }
        assertEquals(2, rows, "a row for fp64 and one for fp32:\n" + r.out());
        // The step against its products alone: a step does the products and more, so it cannot take less
        // time than they do, give or take the run-to-run spread of this machine (a third).
        Matcher products =
                Pattern.compile("mnist +cpu +(fp64|fp32) +([\\d.]+) +([\\d.]+)").matcher(r.out());
        int productRows = 0;
        while (products.find()) {
            productRows++;
            assertTrue(Double.parseDouble(products.group(2)) > 0, r.out());
            assertTrue(Double.parseDouble(products.group(3)) > 0.67, r.out());
        }
        assertEquals(2, productRows, "the products alone, for fp64 and fp32:\n" + r.out());
        // Each step is judged against the square product on its backend and precision: its GFLOP/s
        // over the product's (Nabla's alone here, there being no peer), printed as a percentage.
        Matcher square =
                Pattern.compile("\ncpu +(fp64|fp32) +384 +nabla +([\\d.]+) +±").matcher(r.out());
        int squares = 0;
        while (square.find()) {
            squares++;
            double productGflops = Double.parseDouble(square.group(2));
            Matcher step = Pattern.compile("mnist +784-256-256-10 +1,024 +cpu +" + square.group(1)
                            + " +[\\d,]+ +([\\d.]+) +±[\\d.]+% +(\\d+)%")
                    .matcher(r.out());
            assertTrue(step.find(), r.out());
            double expected = 100 * Double.parseDouble(step.group(1)) / productGflops;
            assertEquals(expected, Double.parseDouble(step.group(2)), 0.5 + 0.01 * expected, r.out());
        }
        assertEquals(2, squares, "the square product, for fp64 and fp32:\n" + r.out());
        String text = Files.readString(json, StandardCharsets.UTF_8);
        assertTrue(
                text.contains("\"mnist\"")
                        && text.contains("\"machine\"")
                        && text.contains("\"step_over_products\"")
                        && text.contains("\"step_over_best_square\"")
                        && text.contains("\"square_products\""),
                text);
    }

    @Test
    void runsNumpyAlternatelyAfterCheckingItsLosses() throws Exception {
        assumeTrue(hasNumpy(), "no python3 with NumPy here");
        Cli r = bench("--workload mnist --precision fp64 --backend cpu --peers --peer-engines numpy " + QUICK);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("peers:   numpy"), r.out());
        assertTrue(
                Pattern.compile("mnist +fp64 numpy +[\\d,]+ +±[\\d.]+% +[\\d.]+ ± +\\d+%")
                        .matcher(r.out())
                        .find(),
                r.out());
        // NumPy's BLAS does the square product too, alternately with Nabla's
        assertTrue(
                Pattern.compile("\ncpu +fp64 +384 +numpy +[\\d.]+ +±[\\d.]+% +NumPy's BLAS")
                        .matcher(r.out())
                        .find(),
                r.out());
        assertFalse(r.out().contains("not timed"), r.out());
    }

    /**
     * A JVM peer goes through the same check as the Python peers: a fake one (a built peer's layout,
     * its main class {@link FakeJvmPeer}) has an engine that computes Nabla's step, timed alternately
     * with Nabla, and one whose learning rate is off, refused before it is timed.
     */
    @Test
    void aJvmPeerIsTimedOnlyWhenItsLossesAgree() throws IOException {
        Path target = dir.resolve("jvm").resolve("dl4j").resolve("target");
        Files.createDirectories(target);
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeJvmPeer.class.getName());
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(target.resolve("peer.jar")), manifest)) {
            jar.flush(); // the manifest alone: the classes come from the test's class path
        }
        Files.writeString(target.resolve("classpath.txt"), System.getProperty("java.class.path"));
        Cli r = bench("--workload seed --backend cpu --peers dl4j --jvm-peers " + dir.resolve("jvm") + " " + QUICK);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("peers:   fake-right, fake-wrong (fake 1)"), r.out());
        assertTrue(r.out().contains("OMP_NUM_THREADS="), r.out());
        assertTrue(
                Pattern.compile("seed +fp64 fake-right +[\\d,]+ +±[\\d.]+% +[\\d.]+ ± +\\d+%")
                        .matcher(r.out())
                        .find(),
                r.out());
        assertTrue(
                Pattern.compile("seed +fp64 fake-wrong +not timed: its loss after 2 steps is [\\d.e-]+, Nabla's")
                        .matcher(r.out())
                        .find(),
                r.out());
    }

    @Test
    void aJvmPeerThatIsNotBuiltIsSkippedWithTheBuildCommand() {
        Cli r = bench("--workload seed --backend cpu --peers djl --jvm-peers " + dir + " " + QUICK);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("skipped peer djl: not built"), r.out());
        assertTrue(r.out().contains("./mvnw -f benchmarks/peers/jvm package"), r.out());
        assertTrue(
                Pattern.compile("seed +2-2-2 +1,048,576 +cpu +fp64")
                        .matcher(r.out())
                        .find(),
                r.out());
    }

    @Test
    void theDl4jPeerAgreesAndIsTimed() {
        runsTheBuiltPeer("dl4j", "dl4j-fit", "dl4j-nd4j");
    }

    @Test
    void theDjlPeerAgreesAndIsTimed() {
        runsTheBuiltPeer("djl", "djl-trainer", "djl-ndarray");
    }

    @Test
    void theLibtorchPeerAgreesAndIsTimed() {
        runsTheBuiltPeer("libtorch", "libtorch-autograd", "libtorch-manual");
    }

    /** The real JVM peer, where it is built (not in CI, whose clean clone has not built it), on the smallest workload. */
    private static void runsTheBuiltPeer(String library, String... engines) {
        Path built = JVM_PEERS.resolve(library).resolve("target").resolve("classpath.txt");
        assumeTrue(
                Files.isRegularFile(built),
                "the " + library + " peer is not built (./mvnw -f benchmarks/peers/jvm package): no " + built);
        Cli r = bench("--workload seed --backend cpu --peers " + library + " --jvm-peers " + JVM_PEERS + " " + QUICK);
        assertEquals(0, r.code(), r.toString());
        assertFalse(r.out().contains("skipped peer"), r.out());
        for (String e : engines) {
            assertTrue(
                    Pattern.compile("seed +fp64 " + e + " +[\\d,]+ +±[\\d.]+% +[\\d.]+ ± +\\d+%")
                            .matcher(r.out())
                            .find(),
                    r.out());
        }
        assertFalse(r.out().contains("not timed"), r.out());
    }

    /** The JVM peers' project, from engine-cli, where the tests run. */
    private static final Path JVM_PEERS = Path.of("..", "benchmarks", "peers", "jvm");

    @Test
    void badOptionsEndWithOneLine() {
        String[][] cases = {
            {"--peer-engines nope --peers", "--peer-engines: unknown peer 'nope'"},
            {"--peers nope", "--peers: unknown peer 'nope'"},
            {"--workload huge", "huge"},
            {"--min-seconds 0", "must be positive"},
            {"--precision fp16", "fp16"},
            {"--square -1", "--square must be 0"},
        };
        for (String[] c : cases) {
            Cli r = bench(c[0]);
            assertEquals(2, r.code(), c[0] + "\n" + r);
            assertTrue(r.errorLine().contains(c[1]), c[0] + "\n" + r);
            assertEquals(1, r.errorLine().lines().count(), c[0] + "\n" + r);
        }
    }

    private static boolean hasNumpy() throws IOException, InterruptedException {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}

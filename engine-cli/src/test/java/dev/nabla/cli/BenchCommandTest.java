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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code engine bench}: its table, its JSON, the peer comparison, and its bad input. */
class BenchCommandTest {
    @TempDir
    Path dir;

    private static final String QUICK = "--min-seconds 0.05 --max-seconds 1 --repeats 2";

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
        String text = Files.readString(json, StandardCharsets.UTF_8);
        assertTrue(
                text.contains("\"mnist\"") && text.contains("\"machine\"") && text.contains("\"step_over_products\""),
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
        assertFalse(r.out().contains("not timed"), r.out());
    }

    @Test
    void badOptionsEndWithOneLine() {
        String[][] cases = {
            {"--peer-engines nope --peers", "--peer-engines: unknown peer 'nope'"},
            {"--workload huge", "huge"},
            {"--min-seconds 0", "must be positive"},
            {"--precision fp16", "fp16"},
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

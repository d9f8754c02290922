package dev.nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.numerics.Tolerance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernels' own source run on the CPU: {@code src/test/emulation} supplies just enough of CUDA
 * (threads as fibers, shared memory, barriers, warp shuffles) for g++ to compile a {@code .cu}
 * file, and a test program per kernel compares its results with a plain implementation of the same
 * math. This checks the kernels' arithmetic, indexing and reductions where no GPU is at hand; the
 * GPU tests check them on the device.
 */
class KernelEmulationTest {
    private static final Path SOURCES = Path.of("src", "main", "cuda");
    private static final Path EMULATION = Path.of("src", "test", "emulation");

    private static boolean gccPresent() {
        try {
            Process p = new ProcessBuilder("g++", "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", command) + " finishes");
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    private static List<String> gcc(String... args) {
        List<String> c = new ArrayList<>(
                List.of("g++", "-std=c++17", "-O1", "-ffp-contract=off", "-I" + EMULATION, "-I" + SOURCES));
        c.addAll(tolerances());
        c.addAll(List.of(args));
        return c;
    }

    /** The test programs compare with the bounds of {@link Tolerance}, given to them as macros. */
    private static List<String> tolerances() {
        List<String> d = new ArrayList<>();
        Map<String, Tolerance> named = Map.of(
                "FP64_REORDERED", Tolerance.FP64_REORDERED, "FP64_MEAN", Tolerance.FP64_MEAN, "FP32", Tolerance.FP32);
        named.forEach((name, t) -> {
            d.add("-DNABLA_" + name + "_ABS=" + t.absolute());
            d.add("-DNABLA_" + name + "_REL=" + t.relative());
        });
        return d;
    }

    /**
     * Compiles the {@code kernels} ({@code .cu} files) with the emulation and the test program
     * {@code <test>.cpp}, runs it, and returns what it printed.
     */
    private static String emulate(Path dir, String test, String... kernels) throws IOException, InterruptedException {
        // Under CI the kernels must be checked, so a missing g++ fails there instead of skipping.
        assertTrue(
                gccPresent() || !"true".equalsIgnoreCase(System.getenv("CI")),
                "CI=true, but g++ is not installed: the kernels' emulated tests cannot run (apt-get install g++)");
        assumeTrue(gccPresent(), "g++ is not installed here: the kernels' emulated tests are skipped");
        List<String> link = new ArrayList<>(List.of("g++"));
        for (String kernel : kernels) {
            String o = dir.resolve(kernel + ".o").toString();
            run(gcc(
                    "-w",
                    "-include",
                    EMULATION.resolve("cuda_emulation.h").toString(),
                    "-x",
                    "c++",
                    "-c",
                    SOURCES.resolve(kernel + ".cu").toString(),
                    "-o",
                    o));
            link.add(o);
        }
        for (String part : new String[] {"emulator", test}) {
            String o = dir.resolve(part + ".o").toString();
            run(gcc("-c", EMULATION.resolve(part + ".cpp").toString(), "-o", o));
            link.add(o);
        }
        String exe = dir.resolve(test).toString();
        link.addAll(List.of("-o", exe));
        run(link);
        String out = run(List.of(exe));
        System.out.println(
                "[emulated " + String.join(", ", kernels) + "] " + out.lines().count() + " lines; "
                        + out.lines().reduce((a, b) -> b).orElse(""));
        return out;
    }

    @Test
    void smallNetworkKernelsMatchAPlainImplementation(@TempDir Path dir) throws Exception {
        String out = emulate(dir, "small_network_test", "small_network");
        assertTrue(out.contains("all cases agree"), out);
        assertTrue(out.contains("rows 262221"), "the case with more rows than the grid has threads ran:\n" + out);
    }

    @Test
    void layerKernelsMatchAPlainImplementation(@TempDir Path dir) throws Exception {
        String out = emulate(dir, "layer_kernels_test", "activation", "mse", "bias", "gemm");
        assertTrue(out.contains("all cases agree"), out);
        assertTrue(out.contains("f32 gemm m=65 n=67 k=129 transA=1 transB=1"), "every product shape ran:\n" + out);
    }

    @Test
    void softmaxLogitLossAndOptimizerKernelsMatchAPlainImplementation(@TempDir Path dir) throws Exception {
        String out = emulate(dir, "loss_and_optimizer_test", "softmax", "logit_loss", "optimizer");
        assertTrue(out.contains("all cases agree"), out);
        assertTrue(
                out.contains("f32 softmax cross-entropy 9001x3 hard delta"),
                "the case of two rows a warp ran:\n" + out);
        assertTrue(out.contains("f32 adamw weight decay 0.01 n=1007, 3 steps second state"), "every rule ran:\n" + out);
    }
}

package dev.nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
            Process p = new ProcessBuilder("g++", "--version").redirectErrorStream(true).start();
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
        List<String> c = new ArrayList<>(List.of("g++", "-std=c++17", "-O1", "-I" + EMULATION, "-I" + SOURCES));
        c.addAll(List.of(args));
        return c;
    }

    /** Compiles {@code <kernel>.cu} with the emulation and its test program, runs it, and returns what it printed. */
    private static String emulate(String kernel, Path dir) throws IOException, InterruptedException {
        assumeTrue(gccPresent(), "g++ is not installed here: the kernels' emulated tests are skipped");
        String k = dir.resolve(kernel + ".o").toString();
        String e = dir.resolve("emulator.o").toString();
        String t = dir.resolve(kernel + "_test.o").toString();
        String exe = dir.resolve(kernel + "_test").toString();
        run(gcc("-w", "-include", EMULATION.resolve("cuda_emulation.h").toString(), "-x", "c++", "-c",
                SOURCES.resolve(kernel + ".cu").toString(), "-o", k));
        run(gcc("-c", EMULATION.resolve("emulator.cpp").toString(), "-o", e));
        run(gcc("-c", EMULATION.resolve(kernel + "_test.cpp").toString(), "-o", t));
        run(List.of("g++", k, e, t, "-o", exe));
        return run(List.of(exe));
    }

    @Test
    void smallNetworkKernelsMatchAPlainImplementation(@TempDir Path dir) throws Exception {
        String out = emulate("small_network", dir);
        System.out.println("[emulated small_network.cu] " + out.lines().count() + " cases; " + out.lines()
                .reduce((a, b) -> b).orElse(""));
        assertTrue(out.contains("all cases agree"), out);
        assertTrue(out.contains("rows 262221"), "the case with more rows than the grid has threads ran:\n" + out);
    }
}

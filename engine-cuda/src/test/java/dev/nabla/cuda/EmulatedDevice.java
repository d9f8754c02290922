package dev.nabla.cuda;

import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Builds the emulated GPU ({@code src/test/emulated-device}) into a folder to put on
 * LD_LIBRARY_PATH: {@code libcuda.so.1}, an emulated driver whose device code is Nabla's own
 * kernels compiled for the CPU ({@code kernels/src/test/emulation}); {@code libcublas.so.13}, an
 * emulated cuBLAS; and {@code libcublas.so.12}, the GPU check's forwarding library
 * ({@code scripts/cublas-shim}) that JCublas loads, in front of it. Built once per JVM; needs g++,
 * gcc and nm, and skips (through an assumption) where they or the sources are missing.
 */
final class EmulatedDevice {
    static final String DRIVER_NATIVE = "/lib/libJCudaDriver-12.6.0-linux-x86_64.so";
    static final String CUBLAS_NATIVE = "/lib/libJCublas2-12.6.0-linux-x86_64.so";

    private static Path built;
    private static String problem;

    private EmulatedDevice() {
    }

    /**
     * The folder holding the emulated device's libraries; skips the caller where it cannot be
     * built, and on a host with a usable GPU, where the GPU tests run for real.
     */
    static synchronized Path libraries() {
        assumeFalse(CudaRuntime.get().usable(), "this host has a GPU: the GPU tests run on it, not on the emulated device");
        if (built == null && problem == null) {
            try {
                built = build();
            } catch (Exception e) {
                problem = e.getMessage();
            }
        }
        assumeTrue(problem == null, () -> "the emulated device cannot be built here: " + problem);
        return built;
    }

    /** The repository's folder {@code relative}, found from the working directory up. */
    private static Path find(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " is not above the working directory");
    }

    private static Path build() throws Exception {
        for (String tool : List.of("g++", "gcc", "nm")) {
            if (!ChildJvm.has(tool)) {
                throw new IllegalStateException(tool + " is not installed");
            }
        }
        Path script = find("engine-cuda/src/test/emulated-device").resolve("build.sh");
        Path dir = Files.createTempDirectory("nabla-emulated-device");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        Path driverNative = dir.resolve("libJCudaDriver.so");
        Path cublasNative = dir.resolve("libJCublas2.so");
        copyResource(DRIVER_NATIVE, driverNative);
        copyResource(CUBLAS_NATIVE, cublasNative);
        ChildJvm.run(List.of("bash", script.toString(), dir.toString(), driverNative.toString(),
                cublasNative.toString()), dir, Map.of());
        return dir;
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a temporary folder left behind is harmless
        }
    }

    private static void copyResource(String resource, Path to) throws IOException {
        try (InputStream in = EmulatedDevice.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the class path");
            }
            Files.copy(in, to);
        }
    }
}

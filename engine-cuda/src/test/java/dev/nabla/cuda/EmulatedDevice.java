package dev.nabla.cuda;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Builds the emulated GPU ({@code src/test/emulated-device}) into a folder to put on
 * LD_LIBRARY_PATH: {@code libcuda.so.1}, an emulated driver whose device code is Nabla's own
 * kernels compiled for the CPU ({@code kernels/src/test/emulation}); {@code libcublas.so.13}, an
 * emulated cuBLAS; and {@code libcublas.so.12}, the GPU check's forwarding library
 * ({@code scripts/cublas-shim}) that JCublas loads, in front of it. Built once per JVM; needs g++,
 * gcc and nm.
 *
 * <p>Where it is not built, the tests that need it: skip on a host with a usable GPU (the GPU
 * tests run on the real one); skip, saying which tool is missing, where the toolchain is not
 * installed, except under CI ({@code CI=true}), where the GPU tests must run and that fails them;
 * and fail everywhere when a build was attempted and did not succeed (a compile error in the
 * emulation or a kernel, a missing source or JCuda native), since a skip would hide a broken
 * kernel behind a green run.
 *
 * <p>Public, and in this module's test jar, for the modules that run the backend in their own
 * settings (a Spark executor on the emulated device).
 */
public final class EmulatedDevice {
    static final String DRIVER_NATIVE = "/lib/libJCudaDriver-12.6.0-linux-x86_64.so";
    static final String CUBLAS_NATIVE = "/lib/libJCublas2-12.6.0-linux-x86_64.so";

    /** What build.sh runs. */
    static final List<String> TOOLCHAIN = List.of("g++", "gcc", "nm");

    /** What became of building the emulated device. */
    sealed interface Outcome {}

    /** Built: the folder to put on LD_LIBRARY_PATH. */
    record Built(Path libraries) implements Outcome {}

    /** Not attempted: {@code tool}, one of the toolchain, does not run here. */
    record NoToolchain(String tool) implements Outcome {}

    /** Attempted and failed; {@code why} holds the build's own output where it ran. */
    record BuildFailed(String why) implements Outcome {}

    /** Remembered, so that a failed build fails every test quickly with the same reason instead of rebuilding. */
    private static Outcome outcome;

    private EmulatedDevice() {}

    /**
     * The folder holding the emulated device's libraries. Skips the caller on a host with a usable
     * GPU, and (off CI) where the toolchain is missing; fails it where the build failed.
     */
    public static synchronized Path libraries() {
        assumeFalse(
                CudaRuntime.get().usable(), "this host has a GPU: the GPU tests run on it, not on the emulated device");
        if (outcome == null) {
            outcome = attempt(TOOLCHAIN, ChildJvm::has, () -> build(Map.of()));
        }
        return require(outcome, onCi(System.getenv()));
    }

    /** Whether the environment says this is a CI run: {@code CI=true}, as CI services set it. */
    static boolean onCi(Map<String, String> env) {
        return "true".equalsIgnoreCase(env.getOrDefault("CI", "").strip());
    }

    /** Builds with {@code build} once every tool in {@code tools} is {@code installed}; never throws. */
    static Outcome attempt(List<String> tools, Predicate<String> installed, Callable<Path> build) {
        for (String tool : tools) {
            if (!installed.test(tool)) {
                return new NoToolchain(tool);
            }
        }
        try {
            return new Built(build.call());
        } catch (Exception | AssertionError e) { // ChildJvm.run reports a failed command as an AssertionError
            return new BuildFailed(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The libraries of a built device; otherwise skips or fails the caller, as the class comment says. */
    static Path require(Outcome result, boolean ci) {
        if (result instanceof Built built) {
            return built.libraries();
        }
        if (result instanceof NoToolchain missing) {
            String why = missing.tool() + " is not installed (the emulated device is built with "
                    + String.join(", ", TOOLCHAIN) + "; apt-get install g++ gcc binutils)";
            if (ci) {
                throw new AssertionFailedError(
                        "CI=true, so the GPU tests must run on the emulated device, but it cannot " + "be built: "
                                + why);
            }
            throw new TestAbortedException(
                    "the emulated device cannot be built here: " + why + "; under CI=true this fails the run");
        }
        throw new AssertionFailedError("the emulated device failed to build, which fails the run everywhere (the "
                + "emulation or a kernel source is broken): " + ((BuildFailed) result).why());
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

    /** Runs build.sh into a new temporary folder, with {@code env} added to its environment. */
    static Path build(Map<String, String> env) throws Exception {
        Path script = find("engine-cuda/src/test/emulated-device").resolve("build.sh");
        Path dir = Files.createTempDirectory("nabla-emulated-device");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        Path driverNative = dir.resolve("libJCudaDriver.so");
        Path cublasNative = dir.resolve("libJCublas2.so");
        copyResource(DRIVER_NATIVE, driverNative);
        copyResource(CUBLAS_NATIVE, cublasNative);
        ChildJvm.run(
                List.of("bash", script.toString(), dir.toString(), driverNative.toString(), cublasNative.toString()),
                dir,
                env);
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

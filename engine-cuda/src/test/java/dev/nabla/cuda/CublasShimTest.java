package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.runtime.cudaStream_t;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU check's forwarding libcublas.so.12 (scripts/cublas-shim), checked without a GPU: built
 * against JCublas2's real native library and a stand-in libcublas.so.13, JCublas2 loads, its calls
 * reach the stand-in, and a function the stand-in lacks returns CUBLAS_STATUS_NOT_SUPPORTED (15).
 */
class CublasShimTest {
    /** The script, found from the working directory up (the module under Maven, the repository in the GPU check). */
    private static Path script() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path s = dir.resolve(Path.of("scripts", "cublas-shim", "build-shim.sh"));
            if (Files.exists(s)) {
                return s;
            }
        }
        return null;
    }

    private static final String NATIVE = "/lib/libJCublas2-12.6.0-linux-x86_64.so";

    /** A libcublas.so.13 with three functions, enough for a handle and a version. */
    private static final String STAND_IN = """
            int cublasCreate_v2(void **handle) { *handle = (void *) 0x1; return 0; }
            int cublasGetVersion_v2(void *handle, int *version) { *version = 130102; return 0; }
            int cublasDestroy_v2(void *handle) { return 0; }
            """;

    @Test
    void jcublasRunsThroughTheShimOnAStandInCublas13(@TempDir Path dir) throws Exception {
        boolean tools = ChildJvm.has("gcc") && ChildJvm.has("nm");
        // Under CI the shim must be checked, so missing tools fail there instead of skipping.
        assertTrue(
                tools || !EmulatedDevice.onCi(System.getenv()),
                "CI=true, but gcc or nm is not installed: the shim cannot be built (apt-get install gcc binutils)");
        assumeTrue(tools, "gcc and nm build the shim; they are not installed here");
        Path script = script();
        assumeTrue(script != null, "scripts/cublas-shim/build-shim.sh is not above the working directory");
        Path nativeLib = dir.resolve("libJCublas2.so");
        try (InputStream in = getClass().getResourceAsStream(NATIVE)) {
            assumeTrue(in != null, "JCublas2's Linux x86-64 native library is not on the class path");
            Files.copy(in, nativeLib);
        }
        Files.writeString(dir.resolve("standin.c"), STAND_IN);
        ChildJvm.run(List.of("gcc", "-shared", "-fPIC", "-o", "libcublas.so.13", "standin.c"), dir, Map.of());
        ChildJvm.run(List.of("bash", script.toString(), nativeLib.toString(), dir.toString()), dir, Map.of());

        String out = ChildJvm.java(
                ChildJvm.classPathOf(
                        List.of(ShimProbe.class, CublasGemm.class, JCublas2.class, Pointer.class, cudaStream_t.class),
                        List.of(NATIVE)),
                ShimProbe.class.getName(),
                List.of(),
                dir,
                dir.toString(),
                Map.of(),
                120);
        System.out.println("[shim] " + out.strip().replace("\n", "; "));
        assertTrue(out.contains("version 13.1.2"), "JCublas2 reached the stand-in through the shim:\n" + out);
        assertTrue(out.contains("missing function status 15"), "a missing function reports NOT_SUPPORTED:\n" + out);
    }
}

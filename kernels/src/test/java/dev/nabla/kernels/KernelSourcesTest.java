package dev.nabla.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compiled kernels in the jar are the ones the {@code .cu} sources give: always by the source
 * hash each PTX file carries, and, where nvcc is installed, by compiling them again (which also
 * checks that every source compiles without a warning).
 */
class KernelSourcesTest {
    private static final Path SOURCES = Path.of("src", "main", "cuda");

    private static List<Path> cuFiles() throws IOException {
        try (Stream<Path> s = Files.list(SOURCES)) {
            return s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
    }

    private static String ptx(String name) throws IOException {
        try (InputStream in = KernelSourcesTest.class.getResourceAsStream("/dev/nabla/kernels/" + name + ".ptx")) {
            assertTrue(in != null, name + ".ptx is packaged");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** SHA-256 of the source followed by every shared header, as build-kernels.sh computes it. */
    private static String sourceHash(Path cu) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(Files.readAllBytes(cu));
        try (Stream<Path> s = Files.list(SOURCES)) {
            for (Path h : s.filter(p -> p.toString().endsWith(".cuh")).sorted().toList()) {
                sha.update(Files.readAllBytes(h));
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String name(Path cu) {
        String f = cu.getFileName().toString();
        return f.substring(0, f.length() - 3);
    }

    @Test
    void everySourceHasCompiledKernelsBuiltFromItsCurrentText() throws Exception {
        List<Path> sources = cuFiles();
        assertFalse(sources.isEmpty());
        for (Path cu : sources) {
            String ptx = ptx(name(cu));
            assertTrue(
                    ptx.contains("// nabla-source-sha256: " + sourceHash(cu) + "\n"),
                    name(cu) + ".ptx was built from another version of " + cu
                            + "; run kernels/build-kernels.sh and commit its output");
            assertTrue(
                    ptx.contains("\n.version 8.0\n"), name(cu) + ": PTX ISA 8.0, loadable by drivers r525 and newer");
            assertTrue(ptx.contains("\n.target sm_75\n"), name(cu) + ": compute capability 7.5 and newer");
        }
    }

    @Test
    void everyEntryPointDeclaredInTheSourcesIsInThePtx() throws Exception {
        for (Path cu : cuFiles()) {
            String ptx = ptx(name(cu));
            String src = Files.readString(cu);
            // Direct definitions and the ones the activation macro stamps out for each function.
            Matcher direct =
                    Pattern.compile("extern \"C\" __global__ void (\\w+)\\(").matcher(src);
            while (direct.find()) {
                String entry = direct.group(1);
                if (entry.contains("##")) {
                    continue;
                }
                assertTrue(ptx.contains(".visible .entry " + entry + "("), name(cu) + ".ptx lacks " + entry);
            }
        }
        String act = ptx("activation");
        for (String f : new String[] {"sigmoid", "tanh", "relu", "identity"}) {
            for (String dir : new String[] {"forward", "backward"}) {
                for (String p : new String[] {"f64", "f32"}) {
                    String entry = f + "_" + dir + "_" + p;
                    assertTrue(act.contains(".visible .entry " + entry + "("), "activation.ptx lacks " + entry);
                }
            }
        }
    }

    private static String nvccVersion() {
        try {
            Process p = new ProcessBuilder("nvcc", "--version")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    @Test
    void withNvccEverySourceCompilesWithoutWarningsToTheCommittedKernels(@TempDir Path out) throws Exception {
        String version = nvccVersion();
        assumeTrue(version != null, "nvcc is not installed here; the source hashes above still tie kernels to sources");
        Process p = new ProcessBuilder("bash", "build-kernels.sh", "--out", out.toString())
                .redirectErrorStream(true)
                .start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "build-kernels.sh finishes");
        assertEquals(0, p.exitValue(), "build-kernels.sh (every warning is an error):\n" + log);
        for (Path cu : cuFiles()) {
            String fresh = Files.readString(out.resolve(name(cu) + ".ptx"));
            String release = fresh.lines()
                    .filter(l -> l.startsWith("// Cuda compilation tools"))
                    .findFirst()
                    .orElse("");
            if (ptx(name(cu)).contains(release + "\n")) {
                // The same nvcc made the committed file: it must be the same, byte for byte.
                assertEquals(ptx(name(cu)), fresh, name(cu) + ".ptx differs from what its source compiles to");
            }
        }
    }
}

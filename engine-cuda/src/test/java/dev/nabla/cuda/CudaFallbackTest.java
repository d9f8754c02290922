package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.BackendUnavailableException;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.backend.ProbeReport;
import dev.nabla.backend.Selection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Discovery and fallback as a user meets them. Where there is no GPU, {@code auto} picks the CPU
 * and records why CUDA was skipped, and asking for CUDA is an error with that reason; where there
 * is one, the probe says what it found.
 */
class CudaFallbackTest {

    /** Linux hosts without an NVIDIA driver have no libcuda.so.1 anywhere the loader looks. */
    private static boolean driverLibraryPresent() {
        for (String dir : List.of(
                "/usr/lib/x86_64-linux-gnu",
                "/usr/lib64",
                "/usr/lib",
                "/lib/x86_64-linux-gnu",
                "/usr/local/nvidia/lib64",
                "/usr/lib/wsl/lib")) {
            if (Files.exists(Path.of(dir, "libcuda.so.1"))) {
                return true;
            }
        }
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String dir : ld.split(":")) {
                if (!dir.isEmpty() && Files.exists(Path.of(dir, "libcuda.so.1"))) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void bothBackendsAreFoundCudaFirst() {
        List<ProbeReport> reports = Backends.probeAll();
        assertEquals(
                List.of("cuda", "cpu"),
                reports.stream().map(ProbeReport::backend).toList());
    }

    @Test
    void withoutAGpuAutoPicksTheCpuAndSaysWhy() {
        ProbeReport cuda = new CudaBackendProvider().probe();
        if (cuda.usable()) {
            System.out.println("[fallback] this host has a usable GPU: " + cuda.facts());
            return; // the GPU half of this class covers it
        }
        try (Selection s = Backends.select("auto", Precision.FP64)) {
            assertEquals("cpu", s.backend().name());
            assertEquals(1, s.skipped().size());
            assertEquals("cuda", s.skipped().get(0).backend());
            assertEquals(cuda.reason(), s.skipped().get(0).reason());
            assertTrue(s.summary().contains("skipped cuda: " + cuda.reason()), s.summary());
        }
        BackendUnavailableException e =
                assertThrows(BackendUnavailableException.class, () -> Backends.select("cuda", Precision.FP64));
        assertEquals("backend 'cuda' cannot run here: " + cuda.reason(), e.getMessage());
        if (!driverLibraryPresent()) {
            assertEquals(
                    "libcuda.so.1 cannot be found; it comes with the NVIDIA driver (install it, or put it on the "
                            + "library path)",
                    cuda.reason(),
                    "the reason names the missing driver library");
        }
        assertFalse(cuda.reason().contains("\n"), "one line");
    }

    @Test
    void theProbeIsDoneOnceAndGivesTheSameAnswer() {
        assertTrue(new CudaBackendProvider().probe() == new CudaBackendProvider().probe());
    }

    @Test
    void withAGpuTheProbeSaysWhatItFound() {
        Gpu.require();
        ProbeReport r = new CudaBackendProvider().probe();
        System.out.println("[probe] " + r.facts());
        for (String fact : List.of("driver", "device", "compute capability", "memory", "kernels", "matrix products")) {
            assertTrue(r.facts().containsKey(fact), "probe reports " + fact + ": " + r.facts());
        }
        try (Selection s = Backends.select("auto", Precision.FP64)) {
            assertEquals("cuda", s.backend().name(), "auto picks the GPU");
        }
    }

    @Test
    void anUnknownGemmChoiceIsAClearError() {
        String old = System.getProperty(GemmChoice.PROPERTY);
        System.setProperty(GemmChoice.PROPERTY, "magic");
        try {
            Exception e = assertThrows(RuntimeException.class, GemmChoice::fromSystemProperty);
            assertEquals("-Dnabla.cuda.gemm=magic is not one of auto, cublas, kernels", e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(GemmChoice.PROPERTY);
            } else {
                System.setProperty(GemmChoice.PROPERTY, old);
            }
        }
    }
}

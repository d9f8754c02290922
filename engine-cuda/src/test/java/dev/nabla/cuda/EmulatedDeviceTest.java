package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The GPU tests, run where there is no GPU: in a child JVM whose driver and cuBLAS are the
 * emulated device ({@link EmulatedDevice}). JCuda, the backend's launchers, transfers, graphs and
 * memory management, and the kernels' own source all run; only the silicon is missing. Tests too
 * large for kernels run one CUDA thread at a time skip there, saying so ({@link Gpu#requireRealDevice}).
 */
class EmulatedDeviceTest {
    private static final List<Class<?>> GPU_TESTS = List.of(
            CudaVersusCpuTest.class,
            CudaOwnKernelGemmConformanceTest.class,
            CudaCublasConformanceTest.class,
            CudaGraphTest.class,
            CudaLossAndOptimizerVersusCpuTest.class,
            CudaOwnKernelGemmTrainingConformanceTest.class,
            CudaCublasTrainingConformanceTest.class,
            CudaLifecycleTest.class,
            CudaTransfersTest.class,
            CudaFallbackTest.class);

    private static final Pattern SUCCESS_TIME = Pattern.compile("^\\[test\\] SUCCESSFUL (\\d+\\.\\d)s ");

    /** How long a successful test took, from its line; 0 for other lines. */
    private static double seconds(String line) {
        Matcher m = SUCCESS_TIME.matcher(line);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void theGpuTestsPassOnTheEmulatedDevice() throws Exception {
        runOnEmulatedDevice(GPU_TESTS, Map.of());
    }

    /**
     * The tests of transfers and streams again, with copies run as soon as they are queued, ahead
     * of queued kernels: the transfers' own, and the recorded steps' (batches and step scalars
     * uploaded between replays), which together cover every upload a training step makes.
     */
    @Test
    void theStreamOrderingHoldsWhenCopiesRunAheadOfKernels() throws Exception {
        runOnEmulatedDevice(
                List.of(CudaTransfersTest.class, CudaGraphTest.class), Map.of("NABLA_EMULATED_ORDER", "copies-first"));
    }

    private static void runOnEmulatedDevice(List<Class<?>> tests, Map<String, String> env) throws Exception {
        Path libraries = EmulatedDevice.libraries();
        String out = ChildJvm.java(
                System.getProperty("java.class.path"),
                EmulatedDeviceRun.class.getName(),
                tests.stream().map(Class::getName).toList(),
                libraries,
                libraries.toString(),
                env,
                900);
        // The summary, what did not succeed, and the slow tests.
        out.lines()
                .filter(l -> l.startsWith("[summary]")
                        || (l.startsWith("[test]") && !l.startsWith("[test] SUCCESSFUL"))
                        || seconds(l) >= 2)
                .forEach(l -> System.out.println("[emulated" + env.values() + "] " + l));
        Matcher m =
                Pattern.compile("\\[summary\\] (\\d+) succeeded, (\\d+) failed").matcher(out);
        assertTrue(m.find(), "the child printed its summary:\n" + out);
        assertEquals(0, Integer.parseInt(m.group(2)), "failures on the emulated device:\n" + out);
        for (Class<?> c : tests) {
            assertTrue(
                    Pattern.compile("\\[test\\] SUCCESSFUL \\S+ " + c.getSimpleName() + "\\.")
                            .matcher(out)
                            .find(),
                    c.getSimpleName() + " ran on the emulated device, not only skipped:\n" + out);
        }
    }
}

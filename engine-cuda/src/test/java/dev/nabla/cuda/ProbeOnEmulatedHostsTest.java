package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.ProbeReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import org.junit.jupiter.api.Test;

/**
 * The CUDA probe's reasons on hosts this machine is not: JCuda's real native library, in a child
 * JVM, against the emulated driver ({@link EmulatedDevice}) playing a host without a device, with
 * an old GPU, with a driver too old for the bundled PTX (whose JIT log must reach the reason),
 * and with a usable GPU.
 */
class ProbeOnEmulatedHostsTest {
    private static final String DEVICE = "Nabla emulated device (kernels run on the CPU)";

    /** What the probe reports on the host {@code scenario} plays: the verdict line, then a line per fact. */
    private static String probe(String scenario) throws Exception {
        Path libraries = EmulatedDevice.libraries();
        String classPath = ChildJvm.classPathOf(
                List.of(
                        DriverProbe.class,
                        CudaBackendProvider.class,
                        ProbeReport.class,
                        JCudaDriver.class,
                        JCublas2.class),
                List.of(EmulatedDevice.DRIVER_NATIVE, EmulatedDevice.CUBLAS_NATIVE, "/dev/nabla/kernels/gemm.ptx"));
        String out = ChildJvm.java(
                classPath,
                DriverProbe.class.getName(),
                List.of(),
                libraries,
                libraries.toString(),
                Map.of("NABLA_EMULATED_DEVICE", scenario),
                120);
        System.out.println("[emulated host: " + scenario + "] " + out.strip().replace("\n", "; "));
        return out;
    }

    private static void contains(String out, String... expected) {
        List<String> missing = new ArrayList<>();
        for (String e : expected) {
            if (!out.contains(e)) {
                missing.add(e);
            }
        }
        assertTrue(missing.isEmpty(), "expected " + missing + " in:\n" + out);
    }

    @Test
    void cuInitFailingIsTheReason() throws Exception {
        contains(probe("no-device"), "unusable: cuInit failed: CUDA_ERROR_NO_DEVICE\n");
    }

    @Test
    void aDriverWithoutDevicesSaysSo() throws Exception {
        contains(probe("zero"), "unusable: no CUDA device found\n", "driver: supports CUDA 13.0\n");
    }

    @Test
    void aGpuOlderThanTuringIsNamedWithItsComputeCapability() throws Exception {
        contains(
                probe("old-gpu"),
                "unusable: the GPU's compute capability 7.0 is older than 7.5, the oldest the "
                        + "bundled kernels are built for\n",
                "device: " + DEVICE + "\n",
                "compute capability: 7.0\n");
    }

    @Test
    void aDriverThatCannotJitTheKernelsGivesItsLogAndTheFix() throws Exception {
        contains(
                probe("old-driver"),
                "unusable: the bundled kernels (activation.ptx, PTX ISA 8.0) could not be loaded: "
                        + "CUDA_ERROR_UNSUPPORTED_PTX_VERSION (the driver is older than CUDA 12.0; install driver r525 or newer); "
                        + "JIT log: ptxas application ptx input, line 12; fatal   : Unsupported .version 8.0\n",
                "driver: supports CUDA 11.8\n",
                "compute capability: 9.0\n");
    }

    @Test
    void aGpuWhoseKernelsLoadIsUsableAndSaysWhatItFound() throws Exception {
        contains(
                probe("gpu"),
                "usable\n",
                "device: " + DEVICE + "\n",
                "compute capability: 9.0\n",
                "memory: 4.0 GiB free of 4.0 GiB\n",
                "kernels: " + expectedKernelCount() + " kernels from PTX ISA 8.0",
                "matrix products: cuBLAS 12.0.0\n");
    }

    /** Entry points in the bundled PTX, counted independently of the loader. */
    private static int expectedKernelCount() {
        int n = 0;
        for (String module : Kernels.MODULES) {
            n += BundledPtx.text(module).split("\\.entry ", -1).length - 1;
        }
        return n;
    }
}

package dev.nabla.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;

import dev.nabla.JavaHeap;
import dev.nabla.backend.ProbeReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * What the CUDA probe found, once per process: either the reason the backend cannot run, or the
 * device, its primary context (retained and current on the {@link CudaThread}), the loaded
 * kernels and whether cuBLAS can be loaded.
 *
 * <p>The probe goes step by step and stops at the first failure, each with its own reason:
 * JCuda's natives and the driver library, {@code cuInit}, a device, its compute capability, the
 * kernels. cuBLAS is probed apart: without it the backend still runs, on Nabla's own GEMM.
 */
final class CudaRuntime {
    static final int MIN_MAJOR = 7;
    static final int MIN_MINOR = 5;
    private static final Pattern MISSING_LIBRARY =
            Pattern.compile("(lib[\\w.+-]+\\.so[\\w.]*): cannot open shared object file");

    private static CudaRuntime instance;

    final ProbeReport report;
    final CUdevice device;
    /** The device's compute capability as {@code 10 * major + minor}: 90 for 9.0. */
    final int computeCapability;

    final String deviceName;
    final Kernels kernels;
    /** Why cuBLAS cannot be used, or {@code null} when it loads. */
    final String cublasProblem;

    final String cublasVersion;

    private CudaRuntime(
            ProbeReport report,
            CUdevice device,
            int computeCapability,
            String deviceName,
            Kernels kernels,
            String cublasProblem,
            String cublasVersion) {
        this.report = report;
        this.device = device;
        this.computeCapability = computeCapability;
        this.deviceName = deviceName;
        this.kernels = kernels;
        this.cublasProblem = cublasProblem;
        this.cublasVersion = cublasVersion;
    }

    /** The probe's answer; the first call probes, later calls return the same answer. */
    static synchronized CudaRuntime get() {
        if (instance == null) {
            instance = probe();
        }
        return instance;
    }

    boolean usable() {
        return report.usable();
    }

    private static CudaRuntime unusable(String reason, Map<String, String> facts) {
        return new CudaRuntime(ProbeReport.unusable("cuda", reason, facts), null, 0, null, null, null, null);
    }

    private static CudaRuntime probe() {
        Map<String, String> facts = new LinkedHashMap<>();
        try {
            JCudaDriver.setExceptionsEnabled(true); // loads JCuda's natives, which need libcuda.so.1
        } catch (Throwable t) {
            return unusable(
                    nativeLoadReason(t, "the NVIDIA driver (install it, or put it on the library path)"), facts);
        }
        try {
            return CudaThread.call(() -> probeOnCudaThread(facts));
        } catch (Throwable t) {
            return unusable("the CUDA probe failed: " + oneLine(t), facts);
        }
    }

    /** The system property naming the device this JVM computes on: an ordinal as CUDA counts them, 0 by default. */
    static final String DEVICE_PROPERTY = "nabla.cuda.device";

    /**
     * The device of {@link #DEVICE_PROPERTY} among {@code count}: one JVM computes on one device,
     * as a Spark executor given one GPU by its cluster's resource scheduling does.
     */
    static int deviceOrdinal(int count) {
        String value = System.getProperty(DEVICE_PROPERTY);
        if (value == null) {
            return 0;
        }
        int ordinal;
        try {
            ordinal = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(DEVICE_PROPERTY + " is \"" + value + "\", not a device number");
        }
        if (ordinal < 0 || ordinal >= count) {
            throw new IllegalArgumentException(DEVICE_PROPERTY + " is " + ordinal + ", but this machine has " + count
                    + " CUDA device" + (count == 1 ? "" : "s") + " (0.." + (count - 1) + ")");
        }
        return ordinal;
    }

    private static CudaRuntime probeOnCudaThread(Map<String, String> facts) {
        try {
            cuInit(0);
        } catch (CudaException e) {
            return unusable("cuInit failed: " + e.getMessage(), facts);
        }
        int[] version = new int[1];
        cuDriverGetVersion(version);
        String kernelModule = kernelModuleVersion();
        facts.put(
                "driver",
                (kernelModule == null ? "" : kernelModule + ", ") + "supports CUDA " + version[0] / 1000 + "."
                        + (version[0] % 1000) / 10);
        int[] count = new int[1];
        cuDeviceGetCount(count);
        if (count[0] == 0) {
            return unusable("no CUDA device found", facts);
        }
        int ordinal;
        try {
            ordinal = deviceOrdinal(count[0]);
        } catch (IllegalArgumentException e) {
            return unusable(e.getMessage(), facts);
        }
        CUdevice device = new CUdevice();
        cuDeviceGet(device, ordinal);
        byte[] nameBytes = new byte[256];
        cuDeviceGetName(nameBytes, nameBytes.length, device);
        String name = cString(nameBytes);
        int[] major = new int[1];
        int[] minor = new int[1];
        cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        long[] total = new long[1];
        cuDeviceTotalMem(total, device);
        facts.put("device", name + (count[0] > 1 ? " (device " + ordinal + " of " + count[0] + ")" : ""));
        facts.put("compute capability", major[0] + "." + minor[0]);
        if (major[0] < MIN_MAJOR || (major[0] == MIN_MAJOR && minor[0] < MIN_MINOR)) {
            return unusable(
                    "the GPU's compute capability " + major[0] + "." + minor[0] + " is older than " + MIN_MAJOR + "."
                            + MIN_MINOR + ", the oldest the bundled kernels are built for",
                    facts);
        }
        CUcontext context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        long[] free = new long[1];
        cuMemGetInfo(free, total);
        facts.put("memory", JavaHeap.size(free[0]) + " free of " + JavaHeap.size(total[0]));

        Kernels kernels;
        try {
            kernels = Kernels.load();
        } catch (Kernels.LoadFailure e) {
            return unusable(e.getMessage(), facts);
        }
        facts.put(
                "kernels",
                String.format(
                        Locale.ROOT,
                        "%d kernels from PTX ISA %s, JIT-compiled in %.0f ms",
                        kernels.count(),
                        Kernels.PTX_ISA,
                        kernels.loadMillis()));

        String cublasProblem = null;
        String cublasVersion = null;
        try {
            cublasVersion = CublasGemm.probeVersion();
            facts.put("matrix products", "cuBLAS " + cublasVersion);
        } catch (Throwable t) {
            cublasProblem = nativeLoadReason(t, "CUDA 12's cuBLAS, which JCublas 12.6 is built against");
            facts.put("matrix products", "Nabla's own GEMM kernels (cuBLAS not loadable: " + cublasProblem + ")");
        }
        return new CudaRuntime(
                ProbeReport.usable("cuda", facts),
                device,
                10 * major[0] + minor[0],
                name,
                kernels,
                cublasProblem,
                cublasVersion);
    }

    /**
     * The reason a native library could not be loaded, in one line: the system library that is
     * missing when the loader says so, else the error itself.
     */
    static String nativeLoadReason(Throwable t, String whatProvidesIt) {
        String all = fullText(t);
        Matcher m = MISSING_LIBRARY.matcher(all);
        if (m.find()) {
            return m.group(1) + " cannot be found; it comes with " + whatProvidesIt;
        }
        return "JCuda's native library cannot be loaded: " + oneLine(t);
    }

    private static String fullText(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }

    private static String oneLine(Throwable t) {
        String s = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The kernel module's version, {@code "NVIDIA driver 580.65.06"}, from /proc where Linux has it. */
    private static String kernelModuleVersion() {
        try {
            String text = Files.readString(Path.of("/proc/driver/nvidia/version"), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("Kernel Module\\s+(\\d+(\\.\\d+)+)").matcher(text);
            return m.find() ? "NVIDIA driver " + m.group(1) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }
}

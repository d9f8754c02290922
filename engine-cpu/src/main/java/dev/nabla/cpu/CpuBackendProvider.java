package dev.nabla.cpu;

import dev.nabla.InputException;
import dev.nabla.backend.Backend;
import dev.nabla.backend.BackendProvider;
import dev.nabla.backend.Precision;
import dev.nabla.backend.ProbeReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Registers the CPU backend. It runs everywhere, so it is tried last by {@code auto}. The number
 * of threads is the number of available processors, or the system property
 * {@code nabla.cpu.threads} when set.
 */
public final class CpuBackendProvider implements BackendProvider {
    private ProbeReport report;

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public synchronized ProbeReport probe() {
        if (report == null) {
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("processor", processorName());
            facts.put("threads", Integer.toString(threads()));
            facts.put("precisions", "fp64, fp32");
            facts.put(
                    "kernels",
                    CpuKernels.vectorApi()
                            ? "vectorized (Vector API, jdk.incubator.vector)"
                            : "plain loops (start Java with --add-modules jdk.incubator.vector for the vectorized ones)");
            facts.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
            report = ProbeReport.usable(name(), facts);
        }
        return report;
    }

    @Override
    public Backend open(Precision precision) {
        if (precision == Precision.TF32) {
            throw new InputException("tf32 runs matrix products on NVIDIA tensor cores (compute capability 8.0 and "
                    + "newer, with cuBLAS); the CPU backend computes in fp64 or fp32");
        }
        return new CpuBackend(precision, threads(), CpuKernels.choose());
    }

    /** Threads the backend uses: {@code nabla.cpu.threads}, or every available processor. */
    static int threads() {
        String prop = System.getProperty("nabla.cpu.threads");
        if (prop != null) {
            try {
                int n = Integer.parseInt(prop.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the processor count
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static String processorName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux, or not readable: fall back to the architecture
        }
        return System.getProperty("os.arch");
    }
}

package dev.nabla.cli.bench;

import dev.nabla.backend.ProbeReport;
import java.util.List;
import java.util.Map;

/** What a benchmark ran on: the CPU, Java, the operating system, and the GPU with its driver and GEMM, or why none. */
record Machine(String cpu, String threads, String java, String os, String gpu) {

    static Machine describe(List<ProbeReport> probes) {
        String cpu = "?";
        String threads = "?";
        String gpu = "none";
        for (ProbeReport r : probes) {
            Map<String, String> f = r.facts();
            if (r.backend().equals("cpu")) {
                cpu = f.getOrDefault("processor", "?");
                threads = f.getOrDefault("threads", "?");
            } else if (r.backend().equals("cuda")) {
                gpu = r.usable()
                        ? f.get("device") + " (compute capability " + f.get("compute capability") + "), "
                                + f.get("driver") + ", matrix products: " + f.get("matrix products")
                        : "none (" + r.reason() + ")";
            }
        }
        return new Machine(
                cpu,
                threads,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                gpu);
    }

    String oneLine() {
        return cpu + ", " + threads + " threads; " + java + "; " + os + "; GPU: " + gpu;
    }
}

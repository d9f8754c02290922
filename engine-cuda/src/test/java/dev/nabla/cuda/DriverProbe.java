package dev.nabla.cuda;

import dev.nabla.backend.ProbeReport;

/**
 * Run by {@link DriverStandInTest} in a JVM whose library path holds a stand-in libcuda.so.1:
 * prints what the CUDA probe reports, a line for the verdict and one per fact.
 */
public final class DriverProbe {
    private DriverProbe() {}

    public static void main(String[] args) {
        ProbeReport r = new CudaBackendProvider().probe();
        System.out.println(r.usable() ? "usable" : "unusable: " + r.reason());
        r.facts().forEach((k, v) -> System.out.println(k + ": " + v));
    }
}

package dev.nabla.backend;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a backend found when it looked at this machine: whether it can run, and if not, why.
 *
 * @param backend the backend's name ({@code cpu}, {@code cuda})
 * @param usable whether the backend can be opened here
 * @param reason why it cannot, in one line with the fix where there is one; {@code null} when usable
 * @param facts what it found, in order: device, driver, memory, which GEMM path serves matrix
 *     products, and notes such as a JIT log
 */
public record ProbeReport(String backend, boolean usable, String reason, Map<String, String> facts) {

    /** Checks that a reason is given exactly when the backend is unusable, and keeps a copy of the facts. */
    public ProbeReport {
        Objects.requireNonNull(backend, "backend");
        if (usable != (reason == null)) {
            throw new IllegalArgumentException("a usable backend has no reason, an unusable one needs one");
        }
        facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
    }

    /** The report of a backend that can run here, with what it found. */
    public static ProbeReport usable(String backend, Map<String, String> facts) {
        return new ProbeReport(backend, true, null, facts);
    }

    /** The report of a backend that cannot run here, saying why in one line, with what it found. */
    public static ProbeReport unusable(String backend, String reason, Map<String, String> facts) {
        return new ProbeReport(backend, false, Objects.requireNonNull(reason, "reason"), facts);
    }

    /** {@code "cuda: <reason>"} for an unusable backend, {@code "cpu: usable"} otherwise. */
    public String oneLine() {
        return backend + ": " + (usable ? "usable" : reason);
    }
}

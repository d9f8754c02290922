package dev.nabla.backend;

import dev.nabla.InputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the backends on the class path and picks one.
 *
 * <p>{@code auto} tries every provider from the highest priority down (CUDA before CPU) and takes
 * the first that probes usable and opens; each one it passes over is recorded with its reason, so
 * falling back is never silent. Naming a backend takes that one or fails with its reason.
 */
public final class Backends {
    /** The choice that tries every backend in priority order. */
    public static final String AUTO = "auto";

    /** Why nothing can be selected when the class path holds engine-api alone. */
    static final String NO_BACKEND_MODULE = "no backend module is on the class path: add dev.nabla:engine-cpu "
            + "(and dev.nabla:engine-cuda for NVIDIA GPUs)";

    private Backends() {}

    /** Every provider found, highest priority first. A provider that cannot even be loaded is left out. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> found = new ArrayList<>();
        Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                // A listed provider whose class cannot load; the others still can.
                continue;
            }
        }
        found.sort(Comparator.comparingInt(BackendProvider::priority).reversed().thenComparing(BackendProvider::name));
        return found;
    }

    /** The probe report of every provider, highest priority first. */
    public static List<ProbeReport> probeAll() {
        List<ProbeReport> reports = new ArrayList<>();
        for (BackendProvider p : providers()) {
            reports.add(safeProbe(p));
        }
        return reports;
    }

    /** The names {@code --backend} accepts: {@code auto} and every provider's name. */
    public static List<String> choices() {
        return choices(providers());
    }

    private static List<String> choices(List<BackendProvider> providers) {
        List<String> names = new ArrayList<>();
        names.add(AUTO);
        providers.forEach(p -> names.add(p.name()));
        return names;
    }

    /**
     * Opens the backend {@code choice} names ({@code auto}, {@code cpu}, {@code cuda}) in the
     * given precision.
     *
     * @throws BackendUnavailableException when the named backend, or under {@code auto} every
     *     backend, cannot run here (the message carries each reason), or when no backend module
     *     is on the class path at all
     * @throws InputException when no backend of that name is installed
     */
    public static Selection select(String choice, Precision precision) {
        return select(choice, precision, providers());
    }

    /** {@link #select(String, Precision)} among the given providers, tried in their order. */
    public static Selection select(String choice, Precision precision, List<BackendProvider> providers) {
        if (providers.isEmpty()) {
            throw new BackendUnavailableException(NO_BACKEND_MODULE);
        }
        List<ProbeReport> skipped = new ArrayList<>();
        boolean auto = AUTO.equals(choice);
        boolean known = false;
        for (BackendProvider p : providers) {
            if (!auto && !p.name().equals(choice)) {
                continue;
            }
            known = true;
            ProbeReport report = safeProbe(p);
            if (report.usable()) {
                try {
                    return new Selection(p.open(precision), choice, skipped);
                } catch (InputException e) {
                    if (skipped.isEmpty()) {
                        throw e;
                    }
                    StringBuilder why = new StringBuilder(e.getMessage());
                    skipped.forEach(r -> why.append("; skipped ").append(r.oneLine()));
                    throw new InputException(why.toString(), e);
                } catch (Throwable t) {
                    report = ProbeReport.unusable(p.name(), "could not be opened: " + describe(t), report.facts());
                }
            }
            if (!auto) {
                throw new BackendUnavailableException("backend '" + choice + "' cannot run here: " + report.reason());
            }
            skipped.add(report);
        }
        if (!known) {
            throw new InputException(
                    "unknown backend '" + choice + "' (available: " + String.join(", ", choices(providers)) + ")");
        }
        StringBuilder why = new StringBuilder("no backend can run here");
        skipped.forEach(r -> why.append("; ").append(r.oneLine()));
        throw new BackendUnavailableException(why.toString());
    }

    private static ProbeReport safeProbe(BackendProvider p) {
        try {
            return p.probe();
        } catch (Throwable t) {
            return ProbeReport.unusable(p.name(), "probe failed: " + describe(t), Map.of());
        }
    }

    /** {@code "SimpleName: message"}, on one line. */
    public static String describe(Throwable t) {
        String msg = t.getMessage();
        String text = t.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
        return text.replace('\n', ' ').replace('\r', ' ');
    }
}

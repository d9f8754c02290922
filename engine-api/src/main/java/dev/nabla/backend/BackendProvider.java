package dev.nabla.backend;

/**
 * How a backend makes itself known: an implementation is listed in
 * {@code META-INF/services/dev.nabla.backend.BackendProvider} of the backend's jar, and
 * {@link Backends} finds it with {@link java.util.ServiceLoader}.
 *
 * <p>A provider must be cheap to construct and must not touch native code before
 * {@link #probe()}: the provider of a backend that cannot run here is still loaded.
 */
public interface BackendProvider {

    /** The name {@code --backend} selects it by. */
    String name();

    /** {@code auto} tries providers from the highest priority down. */
    int priority();

    /**
     * Looks at this machine once and says whether the backend can run. Never throws: every
     * failure, {@link Error}s from native loading included, becomes the report's reason. The
     * answer is cached; later calls return the same report.
     */
    ProbeReport probe();

    /** Opens the backend; called only when {@link #probe()} said it is usable. */
    Backend open(Precision precision);
}

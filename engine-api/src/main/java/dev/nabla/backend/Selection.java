package dev.nabla.backend;

import java.util.List;

/**
 * The backend {@link Backends#select} opened, what was asked for, and every backend tried
 * before it with the reason it was skipped. Closing the selection closes the backend.
 */
public record Selection(Backend backend, String requested, List<ProbeReport> skipped) implements AutoCloseable {

    /** Keeps a copy of the skipped backends' reports. */
    public Selection {
        skipped = List.copyOf(skipped);
    }

    /** One line: {@code "cpu fp64 (auto; skipped cuda: no CUDA driver ...)"}. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(backend.name()).append(' ').append(backend.precision().id()).append(" (");
        sb.append(requested.equals(backend.name()) ? "requested" : requested);
        for (ProbeReport r : skipped) {
            sb.append("; skipped ").append(r.oneLine());
        }
        return sb.append(')').toString();
    }

    @Override
    public void close() {
        backend.close();
    }
}

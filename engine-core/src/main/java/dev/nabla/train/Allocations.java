package dev.nabla.train;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * The matrices a trainer allocated on its backend, freed together, newest first, when the
 * trainer closes. Each part of the trainer allocates through the same instance, so the order is
 * the trainer's whole allocation order.
 */
final class Allocations implements AutoCloseable {
    private final Backend backend;
    private final List<Matrix> owned = new ArrayList<>();

    Allocations(Backend backend) {
        this.backend = backend;
    }

    Backend backend() {
        return backend;
    }

    /** A new {@code rows x cols} matrix, freed at {@link #close()}. */
    Matrix allocate(int rows, int cols) {
        Matrix m = backend.allocate(rows, cols);
        owned.add(m);
        return m;
    }

    /** Frees every matrix, newest first; after the backend closed there is nothing left to free. */
    @Override
    public void close() {
        if (!backend.isClosed()) {
            for (int k = owned.size() - 1; k >= 0; k--) {
                owned.get(k).close();
            }
        }
        owned.clear();
    }
}

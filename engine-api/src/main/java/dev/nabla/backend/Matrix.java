package dev.nabla.backend;

/**
 * A row-major {@code rows x cols} matrix that lives wherever its backend keeps it: a Java array
 * for the CPU, device memory for CUDA. Only its backend can read or change it; move data in and
 * out with {@link Backend#upload} and {@link Backend#download}.
 *
 * <p>A matrix from {@link Backend#allocate} owns its storage and frees it on {@link #close()}. A
 * view from {@link #topRows(int)} shares its parent's storage (the first rows of a row-major
 * matrix are one contiguous block) and its {@code close()} does nothing; it must not be used
 * after the parent is closed.
 */
public abstract class Matrix implements AutoCloseable {
    private final Backend backend;
    private final int rows;
    private final int cols;

    /** A matrix of {@code backend}'s, {@code rows x cols}; a backend's own subclass holds the storage. */
    protected Matrix(Backend backend, int rows, int cols) {
        this.backend = backend;
        this.rows = rows;
        this.cols = cols;
    }

    /** The backend that holds this matrix, the only one that can compute with it. */
    public final Backend backend() {
        return backend;
    }

    /** The number of rows. */
    public final int rows() {
        return rows;
    }

    /** The number of columns: the values in each row, which lie next to each other. */
    public final int cols() {
        return cols;
    }

    /** {@code rows * cols}. */
    public final long size() {
        return (long) rows * cols;
    }

    /** A view of rows {@code 0 .. n-1}, sharing this matrix's storage. */
    public final Matrix topRows(int n) {
        if (n < 1 || n > rows) {
            throw new IllegalArgumentException("topRows(" + n + ") of a " + shape() + " matrix");
        }
        return view(n);
    }

    /** {@code "rows x cols"}, for messages. */
    public final String shape() {
        return rows + "x" + cols;
    }

    /** Creates the view {@link #topRows(int)} returns; {@code n} is already checked. */
    protected abstract Matrix view(int n);

    /** Frees the storage this matrix owns; a view owns none. Closing twice is harmless. */
    @Override
    public abstract void close();

    @Override
    public String toString() {
        return backend.name() + " " + backend.precision().id() + " matrix " + shape();
    }
}

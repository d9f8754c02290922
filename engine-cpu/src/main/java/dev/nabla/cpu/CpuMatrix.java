package dev.nabla.cpu;

import dev.nabla.backend.Matrix;
import dev.nabla.backend.Precision;

/**
 * A matrix in a Java array: {@code double[]} for FP64, {@code float[]} for FP32, row-major from
 * index 0. A view of the first rows shares the array (they are its first {@code rows * cols}
 * entries).
 */
final class CpuMatrix extends Matrix {
    private double[] doubles;
    private float[] floats;
    private final boolean view;

    private CpuMatrix(CpuBackend backend, int rows, int cols, double[] doubles, float[] floats, boolean view) {
        super(backend, rows, cols);
        this.doubles = doubles;
        this.floats = floats;
        this.view = view;
    }

    static CpuMatrix allocate(CpuBackend backend, int rows, int cols) {
        int n = rows * cols;
        return backend.precision() == Precision.FP64
                ? new CpuMatrix(backend, rows, cols, new double[n], null, false)
                : new CpuMatrix(backend, rows, cols, null, new float[n], false);
    }

    /** {@code m} as the CPU matrix it is; the {@link dev.nabla.backend.Backend} has checked it is this backend's. */
    static CpuMatrix of(Matrix m) {
        return (CpuMatrix) m;
    }

    /** The FP64 storage; fails after {@link #close()}. */
    double[] doubles() {
        if (doubles == null) {
            throw new IllegalStateException(this + " is closed");
        }
        return doubles;
    }

    /** The FP32 storage; fails after {@link #close()}. */
    float[] floats() {
        if (floats == null) {
            throw new IllegalStateException(this + " is closed");
        }
        return floats;
    }

    /** Number of elements, {@code rows * cols}. */
    int elementCount() {
        return rows() * cols();
    }

    @Override
    protected Matrix view(int n) {
        return new CpuMatrix((CpuBackend) backend(), n, cols(), doubles, floats, true);
    }

    @Override
    public void close() {
        if (!view) {
            doubles = null;
            floats = null;
        }
    }
}

package dev.nabla.cpu;

import dev.nabla.backend.Matrix;

/**
 * A matrix in a Java array: {@code double[]} for FP64, {@code float[]} for FP32, row-major from
 * index 0. A view of the first rows shares the array (they are its first {@code rows * cols}
 * entries).
 */
final class CpuMatrix extends Matrix {
    private double[] d;
    private float[] f;
    private final boolean view;

    private CpuMatrix(CpuBackend backend, int rows, int cols, double[] d, float[] f, boolean view) {
        super(backend, rows, cols);
        this.d = d;
        this.f = f;
        this.view = view;
    }

    static CpuMatrix allocate(CpuBackend backend, int rows, int cols) {
        int n = rows * cols;
        return backend.precision() == dev.nabla.backend.Precision.FP64
                ? new CpuMatrix(backend, rows, cols, new double[n], null, false)
                : new CpuMatrix(backend, rows, cols, null, new float[n], false);
    }

    /** The FP64 storage; fails after {@link #close()}. */
    double[] d() {
        if (d == null) {
            throw new IllegalStateException(this + " is closed");
        }
        return d;
    }

    /** The FP32 storage; fails after {@link #close()}. */
    float[] f() {
        if (f == null) {
            throw new IllegalStateException(this + " is closed");
        }
        return f;
    }

    /** Number of elements, {@code rows * cols}. */
    int n() {
        return rows() * cols();
    }

    @Override
    protected Matrix view(int n) {
        return new CpuMatrix((CpuBackend) backend(), n, cols(), d, f, true);
    }

    @Override
    public void close() {
        if (!view) {
            d = null;
            f = null;
        }
    }
}

package dev.nabla.cuda;

import dev.nabla.backend.Matrix;
import jcuda.driver.CUdeviceptr;

/**
 * A row-major matrix in device memory. A view of the first rows shares the parent's pointer (the
 * rows are its first {@code rows * cols} elements) and owns nothing.
 */
final class DeviceMatrix extends Matrix {
    final CUdeviceptr ptr;
    private final boolean view;

    DeviceMatrix(CudaBackend backend, int rows, int cols, CUdeviceptr ptr, boolean view) {
        super(backend, rows, cols);
        this.ptr = ptr;
        this.view = view;
    }

    int n() {
        return rows() * cols();
    }

    @Override
    protected Matrix view(int n) {
        return new DeviceMatrix((CudaBackend) backend(), n, cols(), ptr, true);
    }

    @Override
    public void close() {
        if (!view) {
            ((CudaBackend) backend()).free(this);
        }
    }
}

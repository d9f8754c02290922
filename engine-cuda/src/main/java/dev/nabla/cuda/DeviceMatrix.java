package dev.nabla.cuda;

import dev.nabla.backend.Matrix;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;

/**
 * A row-major matrix in device memory. A view of the first rows shares the parent's
 * {@link Storage} (the rows are its first {@code rows * cols} elements) and owns nothing.
 */
final class DeviceMatrix extends Matrix {
    /** The allocation a matrix and its views share, and the upload into it still under way, if any. */
    static final class Storage {
        final CUdeviceptr ptr;
        /** Recorded on the copy stream after the last upload into this storage; created at the first. */
        CUevent uploaded;
        /** Whether the compute stream has yet to wait for {@link #uploaded}. */
        boolean pending;

        Storage(CUdeviceptr ptr) {
            this.ptr = ptr;
        }
    }

    final Storage storage;
    final CUdeviceptr ptr;
    private final boolean view;

    DeviceMatrix(CudaBackend backend, int rows, int cols, Storage storage, boolean view) {
        super(backend, rows, cols);
        this.storage = storage;
        this.ptr = storage.ptr;
        this.view = view;
    }

    /** {@code x} as the device matrix it is: every matrix a CUDA backend's checked operation receives is one. */
    static DeviceMatrix of(Matrix x) {
        return (DeviceMatrix) x;
    }

    /** Number of elements, {@code rows * cols}. */
    int elementCount() {
        return rows() * cols();
    }

    @Override
    protected Matrix view(int n) {
        return new DeviceMatrix((CudaBackend) backend(), n, cols(), storage, true);
    }

    @Override
    public void close() {
        if (!view) {
            ((CudaBackend) backend()).free(this);
        }
    }
}

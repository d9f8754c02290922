package dev.nabla.cuda;

import dev.nabla.backend.Precision;
import jcuda.driver.CUdeviceptr;

/**
 * The argument lists of the elementwise and reduction kernels, in each kernel's parameter order
 * (the {@code .cu} files' entry points). Kept apart from the launches so that a test can hold
 * every list against the parameters the bundled PTX declares, without a GPU.
 */
final class KernelArgs {
    private KernelArgs() {}

    /** A floating-point argument in the kernel's precision: double for FP64, float otherwise. */
    static Object scalar(Precision p, double v) {
        return p == Precision.FP64 ? (Object) v : (Object) (float) v;
    }

    /** {@code <f>_forward_<p>(n, z, a)}. */
    static Object[] activationForward(int n, CUdeviceptr z, CUdeviceptr a) {
        return new Object[] {n, z, a};
    }

    /** {@code <f>_backward_<p>(n, a, g, delta)}. */
    static Object[] activationBackward(int n, CUdeviceptr a, CUdeviceptr g, CUdeviceptr delta) {
        return new Object[] {n, a, g, delta};
    }

    /** {@code mse_forward_<p>(n, scale, o, t, delta, partial)}; {@code scale} in the kernel's precision. */
    static Object[] mseForward(
            Precision p, int n, double scale, CUdeviceptr o, CUdeviceptr t, CUdeviceptr delta, CUdeviceptr partial) {
        return new Object[] {n, scalar(p, scale), o, t, delta, partial};
    }

    /** {@code mse_finish_<p>(blocks, scale, beta, partial, loss)}; scale and beta in double. */
    static Object[] mseFinish(int blocks, double scale, double beta, CUdeviceptr partial, CUdeviceptr loss) {
        return new Object[] {blocks, scale, beta, partial, loss};
    }

    /** {@code bias_forward_<p>(rows, cols, bias, z)}. */
    static Object[] biasForward(int rows, int cols, CUdeviceptr bias, CUdeviceptr z) {
        return new Object[] {rows, cols, bias, z};
    }

    /** {@code bias_backward_partial_<p>(rows, cols, rowsPerChunk, delta, partial)}. */
    static Object[] biasPartial(int rows, int cols, int rowsPerChunk, CUdeviceptr delta, CUdeviceptr partial) {
        return new Object[] {rows, cols, rowsPerChunk, delta, partial};
    }

    /** {@code bias_backward_finish_<p>(chunks, cols, beta, partial, grad)}; beta in double. */
    static Object[] biasFinish(int chunks, int cols, double beta, CUdeviceptr partial, CUdeviceptr grad) {
        return new Object[] {chunks, cols, beta, partial, grad};
    }

    /** {@code sgd_update_<p>(n, lr, grad, param)}; {@code lr} in the kernel's precision. */
    static Object[] sgdUpdate(Precision p, int n, double lr, CUdeviceptr grad, CUdeviceptr param) {
        return new Object[] {n, scalar(p, lr), grad, param};
    }
}

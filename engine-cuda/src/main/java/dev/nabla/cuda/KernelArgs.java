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

    /** {@code softmax_forward_<p>(rows, cols, z, a)}. */
    static Object[] softmaxForward(int rows, int cols, CUdeviceptr z, CUdeviceptr a) {
        return new Object[] {rows, cols, z, a};
    }

    /**
     * {@code softmax_cross_entropy_forward_<p>} and {@code binary_cross_entropy_forward_<p>}
     * {@code (rows, cols, scale, z, t, delta, partial)}; scale in double.
     */
    static Object[] logitLossForward(
            int rows, int cols, double scale, CUdeviceptr z, CUdeviceptr t, CUdeviceptr delta, CUdeviceptr partial) {
        return new Object[] {rows, cols, scale, z, t, delta, partial};
    }

    /** {@code logit_loss_finish_<p>(blocks, count, beta, partial, loss)}; beta in double. */
    static Object[] logitLossFinish(int blocks, int count, double beta, CUdeviceptr partial, CUdeviceptr loss) {
        return new Object[] {blocks, count, beta, partial, loss};
    }

    /** {@code sgd_update_<p>(n, weightDecay, scalars, grad, param)}; weightDecay in the kernel's precision. */
    static Object[] sgdUpdate(int n, double weightDecay, CUdeviceptr scalars, CUdeviceptr grad, CUdeviceptr param) {
        return new Object[] {n, weightDecay, scalars, grad, param};
    }

    /**
     * {@code sgd_momentum_update_<p>(n, momentum, nesterov, weightDecay, scalars, grad, param, velocity)};
     * momentum and weightDecay in double, nesterov 0 or 1.
     */
    static Object[] sgdMomentumUpdate(
            int n,
            double momentum,
            boolean nesterov,
            double weightDecay,
            CUdeviceptr scalars,
            CUdeviceptr grad,
            CUdeviceptr param,
            CUdeviceptr velocity) {
        return new Object[] {n, momentum, nesterov ? 1 : 0, weightDecay, scalars, grad, param, velocity};
    }

    /**
     * {@code adam_update_<p>(n, beta1, beta2, eps, weightDecay, decoupled, scalars, grad, param, first, second)};
     * the settings in double in both precisions, decoupled (AdamW) 0 or 1.
     */
    static Object[] adamUpdate(
            int n,
            double beta1,
            double beta2,
            double eps,
            double weightDecay,
            boolean decoupled,
            CUdeviceptr scalars,
            CUdeviceptr grad,
            CUdeviceptr param,
            CUdeviceptr first,
            CUdeviceptr second) {
        return new Object[] {n, beta1, beta2, eps, weightDecay, decoupled ? 1 : 0, scalars, grad, param, first, second};
    }
}

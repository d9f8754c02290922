package dev.nabla.cpu;

import dev.nabla.backend.Activation;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;

/**
 * The CPU backend's operations on one precision's arrays, {@link CpuOpsFp64} or
 * {@link CpuOpsFp32} (generated from one template), chosen once when the backend opens: the
 * backend makes one call here per operation, and every loop below it runs on one array type.
 * The {@link dev.nabla.backend.Backend} has checked the shapes.
 */
interface CpuOps {

    static CpuOps of(Precision precision, Parallel par, CpuKernels kernels) {
        return precision == Precision.FP64
                ? new CpuOpsFp64(par, kernels.gemm(), kernels.activations(), kernels.optimizer())
                : new CpuOpsFp32(par, kernels.gemm(), kernels.activations(), kernels.optimizer());
    }

    void upload(double[] src, int offset, CpuMatrix dst);

    void upload(float[] src, int offset, CpuMatrix dst);

    void download(CpuMatrix src, double[] dst, int offset);

    void download(CpuMatrix src, float[] dst, int offset);

    void gemm(boolean transA, boolean transB, double alpha, CpuMatrix a, CpuMatrix b, double beta, CpuMatrix c);

    void activationForward(Activation f, CpuMatrix z, CpuMatrix a);

    void activationBackward(Activation f, CpuMatrix a, CpuMatrix g, CpuMatrix delta);

    void mseLoss(CpuMatrix output, CpuMatrix target, int count, CpuMatrix delta, double beta, CpuMatrix loss);

    void addBias(CpuMatrix bias, CpuMatrix z);

    void biasGradient(CpuMatrix delta, double beta, CpuMatrix grad);

    /** {@link dev.nabla.backend.Backend#logitLoss}: {@code loss} is {@code 1 x 2}. */
    void logitLoss(
            LogitLoss kind, CpuMatrix z, CpuMatrix target, int count, CpuMatrix delta, double beta, CpuMatrix loss);

    /** {@link dev.nabla.backend.Backend#optimizerUpdate}: {@code first}, {@code second} null where the rule keeps no such state. */
    void optimizerUpdate(
            Optimizer rule, CpuMatrix scalars, CpuMatrix grad, CpuMatrix param, CpuMatrix first, CpuMatrix second);

    /** {@code m}'s elements as doubles: its own array in FP64, widened into {@code scratch} (as long as {@code m}) in FP32. */
    double[] asDoubles(CpuMatrix m, double[] scratch);

    /**
     * {@code dst[i] = sums[from + i] / divisor + beta * dst[i]} for {@code i < n}, computed in
     * double and rounded once; with {@code beta == 0} the old {@code dst} is not read.
     */
    void store(double[] sums, int from, int n, int divisor, double beta, CpuMatrix dst);
}

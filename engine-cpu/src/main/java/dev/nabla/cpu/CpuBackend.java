package dev.nabla.cpu;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import java.util.List;

/**
 * The reference backend, on Java arrays: FP64 computes in doubles; FP32 stores floats and
 * accumulates matrix products in floats, as a GPU's FP32 mode does, while elementwise functions
 * are evaluated in double and rounded once, and reductions (the loss, bias gradients) sum in
 * double. Each operation is one call to the precision's {@link CpuOps}, chosen when the backend
 * opens, which runs the {@link CpuKernels} (plain loops, or Vector API kernels) on the backend's
 * threads ({@link Parallel}) without changing any result: every output element is computed by the
 * same sequence of operations whatever the split. Small networks take the fused pass of
 * {@link FusedNetwork}.
 */
final class CpuBackend extends Backend {
    private final Precision precision;
    private final Parallel par;
    private final CpuKernels kernels;
    private final CpuOps ops;
    /** The fused pass's plan for the layers seen last (a trainer passes the same list every step), buffers and all. */
    private FusedNetwork fusedPlan;

    CpuBackend(Precision precision, int threads, CpuKernels kernels) {
        this.precision = precision;
        this.par = new Parallel(threads);
        this.kernels = kernels;
        this.ops = CpuOps.of(precision, par, kernels);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public String description() {
        return "CPU backend, " + par.threads() + (par.threads() == 1 ? " thread" : " threads") + ", " + precision.id()
                + ", " + kernels.description();
    }

    /** The threads this backend runs its loops on. */
    Parallel parallel() {
        return par;
    }

    @Override
    protected Matrix doAllocate(int rows, int cols) {
        return CpuMatrix.allocate(this, rows, cols);
    }

    @Override
    protected void doUpload(double[] src, int offset, Matrix dst) {
        ops.upload(src, offset, CpuMatrix.of(dst));
    }

    @Override
    protected void doUpload(float[] src, int offset, Matrix dst) {
        ops.upload(src, offset, CpuMatrix.of(dst));
    }

    @Override
    protected void doDownload(Matrix src, double[] dst, int offset) {
        ops.download(CpuMatrix.of(src), dst, offset);
    }

    @Override
    protected void doDownload(Matrix src, float[] dst, int offset) {
        ops.download(CpuMatrix.of(src), dst, offset);
    }

    @Override
    protected void doGemm(boolean transA, boolean transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        ops.gemm(transA, transB, alpha, CpuMatrix.of(a), CpuMatrix.of(b), beta, CpuMatrix.of(c));
    }

    @Override
    protected void doActivationForward(Activation f, Matrix z, Matrix a) {
        ops.activationForward(f, CpuMatrix.of(z), CpuMatrix.of(a));
    }

    @Override
    protected void doActivationBackward(Activation f, Matrix a, Matrix g, Matrix delta) {
        ops.activationBackward(f, CpuMatrix.of(a), CpuMatrix.of(g), CpuMatrix.of(delta));
    }

    @Override
    protected void doMseLoss(Matrix output, Matrix target, int count, Matrix delta, double beta, Matrix loss) {
        ops.mseLoss(CpuMatrix.of(output), CpuMatrix.of(target), count, CpuMatrix.of(delta), beta, CpuMatrix.of(loss));
    }

    @Override
    protected void doAddBias(Matrix bias, Matrix z) {
        ops.addBias(CpuMatrix.of(bias), CpuMatrix.of(z));
    }

    @Override
    protected void doBiasGradient(Matrix delta, double beta, Matrix grad) {
        ops.biasGradient(CpuMatrix.of(delta), beta, CpuMatrix.of(grad));
    }

    @Override
    protected void doLogitLoss(
            LogitLoss kind, Matrix z, Matrix target, int count, Matrix delta, double beta, Matrix loss) {
        ops.logitLoss(
                kind, CpuMatrix.of(z), CpuMatrix.of(target), count, CpuMatrix.of(delta), beta, CpuMatrix.of(loss));
    }

    @Override
    protected void doOptimizerUpdate(
            Optimizer rule, Matrix scalars, Matrix grad, Matrix param, Matrix first, Matrix second) {
        ops.optimizerUpdate(
                rule,
                CpuMatrix.of(scalars),
                CpuMatrix.of(grad),
                CpuMatrix.of(param),
                first == null ? null : CpuMatrix.of(first),
                second == null ? null : CpuMatrix.of(second));
    }

    @Override
    public boolean fusesNetwork(int[] widths) {
        return FusedNetwork.fits(widths);
    }

    @Override
    protected void doNetworkGradients(
            List<LayerParameters> layers, Matrix x, Matrix t, int count, double beta, Matrix loss) {
        if (fusedPlan == null || !fusedPlan.isFor(layers)) {
            fusedPlan = new FusedNetwork(layers, x.cols(), precision, ops, kernels.activations());
        }
        fusedPlan.run(par, CpuMatrix.of(x), CpuMatrix.of(t), count, beta, CpuMatrix.of(loss));
    }

    @Override
    protected void doClose() {
        par.close();
    }
}

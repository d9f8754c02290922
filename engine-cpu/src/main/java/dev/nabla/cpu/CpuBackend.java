package dev.nabla.cpu;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Precision;
import java.util.List;

/**
 * The reference backend: every operation as a plain loop over Java arrays, written to be checked
 * against the math by eye. FP64 computes in doubles; FP32 stores floats and accumulates matrix
 * products in floats, as a GPU's FP32 mode does, while elementwise functions are evaluated in
 * double and rounded once, and reductions (the loss, bias gradients) sum in double. Large operations are split over the backend's threads
 * without changing any result: every output element is computed by the same sequence of
 * operations whatever the split.
 */
final class CpuBackend extends Backend {
    /** Elementwise loops shorter than this stay on one thread. */
    private static final int ELEMENT_GRAIN = 1 << 15;
    /** Rows per partial sum of the loss; fixed, so the sum is the same for any number of threads. */
    private static final int LOSS_BLOCK_ROWS = 4096;

    private final Precision precision;
    private final Parallel par;
    private final GemmKernel gemm;
    private final ElementKernel elements;
    /** The fused pass's plan for the layers seen last (a trainer passes the same list every step), buffers and all. */
    private FusedNetwork fusedPlan;

    CpuBackend(Precision precision, int threads, CpuKernels kernels) {
        this.precision = precision;
        this.par = new Parallel(threads);
        this.gemm = kernels.gemm();
        this.elements = kernels.elements();
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
                + ", " + gemm.description();
    }

    private boolean fp64() {
        return precision == Precision.FP64;
    }

    private static CpuMatrix m(Matrix x) {
        return (CpuMatrix) x;
    }

    @Override
    protected Matrix doAllocate(int rows, int cols) {
        return CpuMatrix.allocate(this, rows, cols);
    }

    @Override
    protected void doUpload(double[] src, int offset, Matrix dst) {
        CpuMatrix d = m(dst);
        if (fp64()) {
            System.arraycopy(src, offset, d.d(), 0, d.n());
        } else {
            float[] out = d.f();
            for (int i = 0; i < d.n(); i++) {
                out[i] = (float) src[offset + i];
            }
        }
    }

    @Override
    protected void doUpload(float[] src, int offset, Matrix dst) {
        CpuMatrix d = m(dst);
        if (fp64()) {
            double[] out = d.d();
            for (int i = 0; i < d.n(); i++) {
                out[i] = src[offset + i];
            }
        } else {
            System.arraycopy(src, offset, d.f(), 0, d.n());
        }
    }

    @Override
    protected void doDownload(Matrix src, double[] dst, int offset) {
        CpuMatrix s = m(src);
        if (fp64()) {
            System.arraycopy(s.d(), 0, dst, offset, s.n());
        } else {
            float[] in = s.f();
            for (int i = 0; i < s.n(); i++) {
                dst[offset + i] = in[i];
            }
        }
    }

    @Override
    protected void doDownload(Matrix src, float[] dst, int offset) {
        CpuMatrix s = m(src);
        if (fp64()) {
            double[] in = s.d();
            for (int i = 0; i < s.n(); i++) {
                dst[offset + i] = (float) in[i];
            }
        } else {
            System.arraycopy(s.f(), 0, dst, offset, s.n());
        }
    }

    @Override
    protected void doGemm(boolean transA, boolean transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        int k = transA ? a.rows() : a.cols();
        if (fp64()) {
            gemm.fp64(par, transA, transB, c.rows(), c.cols(), k, alpha, m(a).d(), m(b).d(), beta, m(c).d());
        } else {
            gemm.fp32(par, transA, transB, c.rows(), c.cols(), k, alpha, m(a).f(), m(b).f(), beta, m(c).f());
        }
    }

    @Override
    protected void doActivationForward(Activation f, Matrix z, Matrix a) {
        int n = m(z).n();
        if (fp64()) {
            double[] in = m(z).d();
            double[] out = m(a).d();
            par.forRange(n, ELEMENT_GRAIN, (from, to) -> elements.forward(f, in, out, from, to));
        } else {
            float[] in = m(z).f();
            float[] out = m(a).f();
            par.forRange(n, ELEMENT_GRAIN, (from, to) -> elements.forward(f, in, out, from, to));
        }
    }

    @Override
    protected void doActivationBackward(Activation f, Matrix a, Matrix g, Matrix delta) {
        int n = m(a).n();
        if (fp64()) {
            double[] av = m(a).d();
            double[] gv = m(g).d();
            double[] out = m(delta).d();
            par.forRange(n, ELEMENT_GRAIN, (from, to) -> elements.backward(f, av, gv, out, from, to));
        } else {
            float[] av = m(a).f();
            float[] gv = m(g).f();
            float[] out = m(delta).f();
            par.forRange(n, ELEMENT_GRAIN, (from, to) -> elements.backward(f, av, gv, out, from, to));
        }
    }

    @Override
    protected void doMseLoss(Matrix output, Matrix target, int count, Matrix delta, double beta, Matrix loss) {
        int rows = output.rows();
        int cols = output.cols();
        int blocks = (rows + LOSS_BLOCK_ROWS - 1) / LOSS_BLOCK_ROWS;
        double[] partial = new double[blocks];
        double scale = 1.0 / count;
        boolean wide = fp64();
        par.forRange(blocks, 1, (fromBlock, toBlock) -> {
            for (int blk = fromBlock; blk < toBlock; blk++) {
                int from = blk * LOSS_BLOCK_ROWS * cols;
                int to = Math.min(rows, (blk + 1) * LOSS_BLOCK_ROWS) * cols;
                partial[blk] = wide
                        ? mseBlock(m(output).d(), m(target).d(), m(delta).d(), from, to, scale)
                        : mseBlock(m(output).f(), m(target).f(), m(delta).f(), from, to, (float) scale);
            }
        });
        double sum = 0;
        for (double p : partial) {
            sum += p;
        }
        if (wide) {
            double[] l = m(loss).d();
            l[0] = beta == 0.0 ? sum / count : sum / count + beta * l[0];
        } else {
            float[] l = m(loss).f();
            l[0] = (float) (beta == 0.0 ? sum / count : sum / count + beta * l[0]);
        }
    }

    /** Sum of {@code 1/2 (t - o)^2} over {@code [from, to)}; writes {@code delta = (o - t) * scale}. */
    private static double mseBlock(double[] o, double[] t, double[] delta, int from, int to, double scale) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            double diff = o[i] - t[i];
            sum += 0.5 * diff * diff;
            delta[i] = diff * scale;
        }
        return sum;
    }

    /** FP32 twin of {@link #mseBlock(double[], double[], double[], int, int, double)}; the sum is kept in double. */
    private static double mseBlock(float[] o, float[] t, float[] delta, int from, int to, float scale) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            float diff = o[i] - t[i];
            sum += 0.5 * diff * diff;
            delta[i] = diff * scale;
        }
        return sum;
    }

    @Override
    protected void doAddBias(Matrix bias, Matrix z) {
        int rows = z.rows();
        int cols = z.cols();
        if (fp64()) {
            double[] b = m(bias).d();
            double[] out = m(z).d();
            par.forRange(rows, Math.max(1, ELEMENT_GRAIN / cols), (from, to) -> {
                for (int r = from; r < to; r++) {
                    for (int j = 0; j < cols; j++) {
                        out[r * cols + j] += b[j];
                    }
                }
            });
        } else {
            float[] b = m(bias).f();
            float[] out = m(z).f();
            par.forRange(rows, Math.max(1, ELEMENT_GRAIN / cols), (from, to) -> {
                for (int r = from; r < to; r++) {
                    for (int j = 0; j < cols; j++) {
                        out[r * cols + j] += b[j];
                    }
                }
            });
        }
    }

    @Override
    protected void doBiasGradient(Matrix delta, double beta, Matrix grad) {
        int rows = delta.rows();
        int cols = delta.cols();
        // Columns are split among threads; each column is summed over rows in order.
        if (fp64()) {
            double[] d = m(delta).d();
            double[] out = m(grad).d();
            par.forRange(cols, Math.max(1, ELEMENT_GRAIN / rows), (from, to) -> {
                for (int j = from; j < to; j++) {
                    double s = 0;
                    for (int r = 0; r < rows; r++) {
                        s += d[r * cols + j];
                    }
                    out[j] = beta == 0.0 ? s : s + beta * out[j];
                }
            });
        } else {
            float[] d = m(delta).f();
            float[] out = m(grad).f();
            par.forRange(cols, Math.max(1, ELEMENT_GRAIN / rows), (from, to) -> {
                for (int j = from; j < to; j++) {
                    double s = 0; // summed in double and rounded once, as the CUDA backend does
                    for (int r = 0; r < rows; r++) {
                        s += d[r * cols + j];
                    }
                    out[j] = (float) (beta == 0.0 ? s : s + beta * out[j]);
                }
            });
        }
    }

    @Override
    protected void doSgdUpdate(double lr, Matrix grad, Matrix param) {
        int n = m(param).n();
        if (fp64()) {
            double[] g = m(grad).d();
            double[] w = m(param).d();
            par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
                for (int i = from; i < to; i++) {
                    w[i] -= lr * g[i];
                }
            });
        } else {
            float[] g = m(grad).f();
            float[] w = m(param).f();
            float rate = (float) lr;
            par.forRange(n, ELEMENT_GRAIN, (from, to) -> {
                for (int i = from; i < to; i++) {
                    w[i] -= rate * g[i];
                }
            });
        }
    }

    @Override
    public boolean fusesNetwork(int[] widths) {
        return FusedNetwork.fits(widths);
    }

    @Override
    protected void doNetworkGradients(List<LayerParameters> layers, Matrix x, Matrix t, int count, double beta,
            Matrix loss) {
        if (fusedPlan == null || !fusedPlan.isFor(layers, fp64())) {
            fusedPlan = new FusedNetwork(layers, x.cols(), fp64(), elements);
        }
        fusedPlan.run(par, m(x), m(t), count, beta, m(loss));
    }

    @Override
    protected void doClose() {
        par.close();
    }
}

// Generated from engine-cpu/src/main/templates/dev/nabla/cpu/CpuOpsFpN.java.template by PrecisionTemplates; edit the template, then run: java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java
package dev.nabla.cpu;

import dev.nabla.backend.Activation;

/**
 * The CPU backend's operations on float arrays. Matrix products accumulate in the element type
 * (in FP32 as a GPU's FP32 mode does); elementwise functions are evaluated in double and rounded
 * once; reductions (the loss, bias gradients) sum in double. Large operations are split over the
 * backend's threads without changing any result: every output element is computed by the same
 * sequence of operations whatever the split. No operation allocates: each has its loop body made
 * once, its fields set for the call, and the loss its buffer of partial sums, grown when a batch
 * needs more.
 */
final class CpuOpsFp32 implements CpuOps {
    /** Elementwise loops shorter than this stay on one thread. */
    private static final int ELEMENT_GRAIN = 1 << 15;
    /** Rows per partial sum of the loss; fixed, so the sum is the same for any number of threads. */
    private static final int LOSS_BLOCK_ROWS = 4096;

    private final Parallel par;
    private final CpuGemm gemm;
    private final CpuActivations activations;
    // Each operation's loop body, made once: an operation allocates nothing.
    private final Forward forward = new Forward();
    private final Backward backward = new Backward();
    private final Mse mse = new Mse();
    private final AddBias addBias = new AddBias();
    private final BiasGradient biasGradient = new BiasGradient();
    private final Sgd sgd = new Sgd();

    CpuOpsFp32(Parallel par, CpuGemm gemm, CpuActivations activations) {
        this.par = par;
        this.gemm = gemm;
        this.activations = activations;
    }

    @Override
    public void upload(float[] src, int offset, CpuMatrix dst) {
        System.arraycopy(src, offset, dst.floats(), 0, dst.elementCount());
    }

    @Override
    public void upload(double[] src, int offset, CpuMatrix dst) {
        float[] out = dst.floats();
        for (int i = 0; i < dst.elementCount(); i++) {
            out[i] = (float) src[offset + i];
        }
    }

    @Override
    public void download(CpuMatrix src, float[] dst, int offset) {
        System.arraycopy(src.floats(), 0, dst, offset, src.elementCount());
    }

    @Override
    public void download(CpuMatrix src, double[] dst, int offset) {
        float[] in = src.floats();
        for (int i = 0; i < src.elementCount(); i++) {
            dst[offset + i] = in[i];
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, CpuMatrix a, CpuMatrix b, double beta,
            CpuMatrix c) {
        int k = transA ? a.rows() : a.cols();
        gemm.multiply(par, transA, transB, c.rows(), c.cols(), k, alpha, a.floats(), b.floats(), beta, c.floats());
    }

    @Override
    public void activationForward(Activation f, CpuMatrix z, CpuMatrix a) {
        forward.f = f;
        forward.z = z.floats();
        forward.a = a.floats();
        par.forRange(z.elementCount(), ELEMENT_GRAIN, forward);
        forward.z = forward.a = null;
    }

    private final class Forward implements Parallel.Range {
        Activation f;
        float[] z;
        float[] a;

        @Override
        public void run(int from, int to) {
            activations.forward(f, z, a, from, to);
        }
    }

    @Override
    public void activationBackward(Activation f, CpuMatrix a, CpuMatrix g, CpuMatrix delta) {
        backward.f = f;
        backward.a = a.floats();
        backward.g = g.floats();
        backward.delta = delta.floats();
        par.forRange(a.elementCount(), ELEMENT_GRAIN, backward);
        backward.a = backward.g = backward.delta = null;
    }

    private final class Backward implements Parallel.Range {
        Activation f;
        float[] a;
        float[] g;
        float[] delta;

        @Override
        public void run(int from, int to) {
            activations.backward(f, a, g, delta, from, to);
        }
    }

    @Override
    public void mseLoss(CpuMatrix output, CpuMatrix target, int count, CpuMatrix delta, double beta,
            CpuMatrix loss) {
        int blocks = (output.rows() + LOSS_BLOCK_ROWS - 1) / LOSS_BLOCK_ROWS;
        if (mse.partial.length < blocks) {
            mse.partial = new double[blocks];
        }
        mse.o = output.floats();
        mse.t = target.floats();
        mse.delta = delta.floats();
        mse.rows = output.rows();
        mse.cols = output.cols();
        mse.scale = (float) (1.0d / count);
        par.forRange(blocks, 1, mse);
        mse.o = mse.t = mse.delta = null;
        double sum = 0;
        for (int blk = 0; blk < blocks; blk++) {
            sum += mse.partial[blk];
        }
        float[] l = loss.floats();
        l[0] = (float) (beta == 0.0d ? sum / count : sum / count + beta * l[0]);
    }

    /** Blocks of {@code LOSS_BLOCK_ROWS} rows, each summed into its own {@code partial[blk]}. */
    private static final class Mse implements Parallel.Range {
        double[] partial = new double[1];
        float[] o;
        float[] t;
        float[] delta;
        int rows;
        int cols;
        float scale;

        @Override
        public void run(int fromBlock, int toBlock) {
            for (int blk = fromBlock; blk < toBlock; blk++) {
                int from = blk * LOSS_BLOCK_ROWS * cols;
                int to = Math.min(rows, (blk + 1) * LOSS_BLOCK_ROWS) * cols;
                partial[blk] = mseBlock(o, t, delta, from, to, scale);
            }
        }
    }

    /** Sum of {@code 1/2 (t - o)^2} over {@code [from, to)}, in double; writes {@code delta = (o - t) * scale}. */
    private static double mseBlock(float[] o, float[] t, float[] delta, int from, int to, float scale) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            float diff = o[i] - t[i];
            sum += 0.5d * diff * diff;
            delta[i] = diff * scale;
        }
        return sum;
    }

    @Override
    public void addBias(CpuMatrix bias, CpuMatrix z) {
        addBias.b = bias.floats();
        addBias.z = z.floats();
        addBias.cols = z.cols();
        par.forRange(z.rows(), Math.max(1, ELEMENT_GRAIN / z.cols()), addBias);
        addBias.b = addBias.z = null;
    }

    /** Rows {@code [from, to)} of {@code z}, each plus {@code b}. */
    private static final class AddBias implements Parallel.Range {
        float[] b;
        float[] z;
        int cols;

        @Override
        public void run(int from, int to) {
            float[] b = this.b;
            float[] z = this.z;
            int cols = this.cols;
            for (int r = from; r < to; r++) {
                for (int j = 0; j < cols; j++) {
                    z[r * cols + j] += b[j];
                }
            }
        }
    }

    @Override
    public void biasGradient(CpuMatrix delta, double beta, CpuMatrix grad) {
        biasGradient.delta = delta.floats();
        biasGradient.grad = grad.floats();
        biasGradient.rows = delta.rows();
        biasGradient.cols = delta.cols();
        biasGradient.beta = beta;
        par.forRange(delta.cols(), Math.max(1, ELEMENT_GRAIN / delta.rows()), biasGradient);
        biasGradient.delta = biasGradient.grad = null;
    }

    /** Columns {@code [from, to)}, each summed over the rows in order, in double. */
    private static final class BiasGradient implements Parallel.Range {
        float[] delta;
        float[] grad;
        int rows;
        int cols;
        double beta;

        @Override
        public void run(int from, int to) {
            float[] delta = this.delta;
            float[] grad = this.grad;
            int rows = this.rows;
            int cols = this.cols;
            double beta = this.beta;
            for (int j = from; j < to; j++) {
                double s = 0;
                for (int r = 0; r < rows; r++) {
                    s += delta[r * cols + j];
                }
                grad[j] = (float) (beta == 0.0d ? s : s + beta * grad[j]);
            }
        }
    }

    @Override
    public void sgdUpdate(double lr, CpuMatrix grad, CpuMatrix param) {
        sgd.g = grad.floats();
        sgd.w = param.floats();
        sgd.rate = (float) lr;
        par.forRange(param.elementCount(), ELEMENT_GRAIN, sgd);
        sgd.g = sgd.w = null;
    }

    /** {@code w[i] -= rate * g[i]} over {@code [from, to)}. */
    private static final class Sgd implements Parallel.Range {
        float[] g;
        float[] w;
        float rate;

        @Override
        public void run(int from, int to) {
            float[] g = this.g;
            float[] w = this.w;
            float rate = this.rate;
            for (int i = from; i < to; i++) {
                w[i] -= rate * g[i];
            }
        }
    }

    @Override
    public double[] asDoubles(CpuMatrix m, double[] scratch) {
        float[] in = m.floats();
        for (int i = 0; i < in.length; i++) {
            scratch[i] = in[i];
        }
        return scratch;
    }

    @Override
    public void store(double[] sums, int from, int n, int divisor, double beta, CpuMatrix dst) {
        float[] out = dst.floats();
        for (int i = 0; i < n; i++) {
            out[i] = (float) (beta == 0.0d ? sums[from + i] / divisor : sums[from + i] / divisor + beta * out[i]);
        }
    }
}

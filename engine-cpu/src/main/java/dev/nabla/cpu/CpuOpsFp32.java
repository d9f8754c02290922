// Generated from engine-cpu/src/main/templates/dev/nabla/cpu/CpuOpsFpN.java.template by PrecisionTemplates; edit the template, then run: java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java
package dev.nabla.cpu;

import dev.nabla.backend.Activation;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Optimizer;

/**
 * The CPU backend's operations on float arrays. Matrix products accumulate in the element type
 * (in FP32 as a GPU's FP32 mode does); elementwise functions (the softmax, the optimizer update
 * included) are evaluated in double and rounded once; reductions (the losses, bias gradients) sum
 * in double, in blocks of rows fixed by the shape. Large operations are split over the
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
    /**
     * Rows per partial sum of a logit loss: fixed, as {@link #LOSS_BLOCK_ROWS}, and smaller, since a
     * row costs two exponentials an element: a batch of a thousand rows still splits over threads.
     */
    private static final int LOGIT_BLOCK_ROWS = 256;

    private final Parallel par;
    private final CpuGemm gemm;
    private final CpuActivations activations;
    // Each operation's loop body, made once: an operation allocates nothing.
    private final Forward forward = new Forward();
    private final Backward backward = new Backward();
    private final Mse mse = new Mse();
    private final AddBias addBias = new AddBias();
    private final BiasGradient biasGradient = new BiasGradient();
    private final Softmax softmax = new Softmax();
    private final Logit logit = new Logit();
    private final OptimizerStep step = new OptimizerStep();
    private final Update update = new Update();
    private final CpuOptimizer optimizer;

    CpuOpsFp32(Parallel par, CpuGemm gemm, CpuActivations activations, CpuOptimizer optimizer) {
        this.par = par;
        this.gemm = gemm;
        this.activations = activations;
        this.optimizer = optimizer;
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
        if (f == Activation.SOFTMAX) {
            softmax.z = z.floats();
            softmax.a = a.floats();
            softmax.cols = z.cols();
            par.forRange(z.rows(), Math.max(1, ELEMENT_GRAIN / z.cols()), softmax);
            softmax.z = softmax.a = null;
            return;
        }
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

    /** Rows {@code [from, to)}, each through {@link #softmaxRow}. */
    private static final class Softmax implements Parallel.Range {
        float[] z;
        float[] a;
        int cols;

        @Override
        public void run(int from, int to) {
            for (int r = from; r < to; r++) {
                softmaxRow(z, a, r * cols, cols);
            }
        }
    }

    /**
     * {@code a = softmax(z)} over the row of {@code cols} elements at {@code off}, in double: the
     * row's largest value {@code m}, then {@code s = sum exp(z - m)}, then each
     * {@code exp(z_k - m) / s} rounded once. {@code a} may be {@code z}: each element is read
     * before it is written.
     */
    private static void softmaxRow(float[] z, float[] a, int off, int cols) {
        double max = rowMax(z, off, cols);
        double sum = 0;
        for (int k = off; k < off + cols; k++) {
            sum += Math.exp(z[k] - max);
        }
        for (int k = off; k < off + cols; k++) {
            a[k] = (float) (Math.exp(z[k] - max) / sum);
        }
    }

    /** The largest of the row's {@code cols} values at {@code off}. */
    private static double rowMax(float[] x, int off, int cols) {
        double max = x[off];
        for (int k = off + 1; k < off + cols; k++) {
            if (x[k] > max) {
                max = x[k];
            }
        }
        return max;
    }

    /** The index in its row of the first of the row's largest values. */
    private static int firstMax(float[] x, int off, int cols) {
        int at = 0;
        for (int k = 1; k < cols; k++) {
            if (x[off + k] > x[off + at]) {
                at = k;
            }
        }
        return at;
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
    public void logitLoss(LogitLoss kind, CpuMatrix z, CpuMatrix target, int count, CpuMatrix delta, double beta,
            CpuMatrix loss) {
        int blocks = (z.rows() + LOGIT_BLOCK_ROWS - 1) / LOGIT_BLOCK_ROWS;
        if (logit.partialLoss.length < blocks) {
            logit.partialLoss = new double[blocks];
            logit.partialRight = new int[blocks];
        }
        logit.softmax = kind == LogitLoss.SOFTMAX_CROSS_ENTROPY;
        logit.z = z.floats();
        logit.t = target.floats();
        logit.delta = delta.floats();
        logit.rows = z.rows();
        logit.cols = z.cols();
        logit.count = count;
        par.forRange(blocks, 1, logit);
        logit.z = logit.t = logit.delta = null;
        double sum = 0;
        long right = 0;
        for (int blk = 0; blk < blocks; blk++) {
            sum += logit.partialLoss[blk];
            right += logit.partialRight[blk];
        }
        float[] l = loss.floats();
        l[0] = (float) (beta == 0.0d ? sum / count : sum / count + beta * l[0]);
        l[1] = (float) (beta == 0.0d ? (double) right : right + beta * l[1]);
    }

    /**
     * Blocks of {@code LOGIT_BLOCK_ROWS} rows, each summed in row order into its own
     * {@code partialLoss[blk]}, its rows classified right counted in {@code partialRight[blk]}.
     */
    private static final class Logit implements Parallel.Range {
        double[] partialLoss = new double[1];
        int[] partialRight = new int[1];
        boolean softmax;
        float[] z;
        float[] t;
        float[] delta;
        int rows;
        int cols;
        int count;

        @Override
        public void run(int fromBlock, int toBlock) {
            for (int blk = fromBlock; blk < toBlock; blk++) {
                double sum = 0;
                int right = 0;
                for (int r = blk * LOGIT_BLOCK_ROWS; r < Math.min(rows, (blk + 1) * LOGIT_BLOCK_ROWS); r++) {
                    int off = r * cols;
                    if (softmax) {
                        sum += softmaxCrossEntropyRow(z, t, delta, off, cols, count);
                        right += firstMax(z, off, cols) == firstMax(t, off, cols) ? 1 : 0;
                    } else {
                        sum += binaryCrossEntropyRow(z, t, delta, off, cols, count);
                        right += binaryRight(z, t, off, cols) ? 1 : 0;
                    }
                }
                partialLoss[blk] = sum;
                partialRight[blk] = right;
            }
        }
    }

    /**
     * One row's {@code sum_k t_k (lse - z_k)}, {@code lse = m + log sum_j exp(z_j - m)} with
     * {@code m} the row's largest logit, in double, the sums in column order; writes {@code delta_k = (p_k S - t_k) / count},
     * {@code p = softmax(z)}, {@code S = sum_k t_k}, each rounded once.
     */
    private static double softmaxCrossEntropyRow(float[] z, float[] t, float[] delta, int off, int cols,
            int count) {
        double max = rowMax(z, off, cols);
        double sum = 0;
        double targets = 0;
        for (int k = off; k < off + cols; k++) {
            sum += Math.exp(z[k] - max);
            targets += t[k];
        }
        double logSum = Math.log(sum);
        double loss = 0;
        for (int k = off; k < off + cols; k++) {
            double p = Math.exp(z[k] - max) / sum;
            // lse - z_k as (m - z_k) + log s: m - z_k is exact for logits of one sign and size (500,
            // 499.3), where m + log s would round to the 1e-13 of a 500's last bit
            loss += t[k] * ((max - z[k]) + logSum);
            delta[k] = (float) ((p * targets - t[k]) / count);
        }
        return loss;
    }

    /**
     * One row's {@code sum_k max(z_k, 0) - z_k t_k + log1p(exp(-|z_k|))}, in double; writes
     * {@code delta_k = (sigmoid(z_k) - t_k) / count}, the sigmoid taken from the same
     * {@code exp(-|z_k|)}, which never overflows: {@code 1 / (1 + e)} for {@code z >= 0}, else
     * {@code e / (1 + e)}.
     */
    private static double binaryCrossEntropyRow(float[] z, float[] t, float[] delta, int off, int cols,
            int count) {
        double loss = 0;
        for (int k = off; k < off + cols; k++) {
            double zk = z[k];
            double tk = t[k];
            double e = Math.exp(-Math.abs(zk));
            loss += Math.max(zk, 0.0d) - zk * tk + Math.log1p(e);
            double sigmoid = zk >= 0.0d ? 1.0d / (1.0d + e) : e / (1.0d + e);
            delta[k] = (float) ((sigmoid - tk) / count);
        }
        return loss;
    }

    /** Whether every output of the row is on its target's side of one half: {@code z_k > 0} exactly where {@code t_k > 1/2}. */
    private static boolean binaryRight(float[] z, float[] t, int off, int cols) {
        for (int k = off; k < off + cols; k++) {
            if ((z[k] > 0.0d) != (t[k] > 0.5d)) {
                return false;
            }
        }
        return true;
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
    public void optimizerUpdate(Optimizer rule, CpuMatrix scalars, CpuMatrix grad, CpuMatrix param,
            CpuMatrix first, CpuMatrix second) {
        float[] sc = scalars.floats(); // read now: a replayed step sees the scalars uploaded since
        step.set(rule, sc[0], sc[1], sc[2]);
        update.g = grad.floats();
        update.p = param.floats();
        update.first = first == null ? null : first.floats();
        update.second = second == null ? null : second.floats();
        par.forRange(param.elementCount(), ELEMENT_GRAIN, update);
        update.g = update.p = update.first = update.second = null;
    }

    /** {@link CpuOptimizer#update} of {@code [from, to)} with this call's {@link #step}. */
    private final class Update implements Parallel.Range {
        float[] g;
        float[] p;
        float[] first;
        float[] second;

        @Override
        public void run(int from, int to) {
            optimizer.update(step, g, p, first, second, from, to);
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

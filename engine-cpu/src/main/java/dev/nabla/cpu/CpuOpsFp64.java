// Generated from engine-cpu/src/main/templates/dev/nabla/cpu/CpuOpsFpN.java.template by PrecisionTemplates; edit the template, then run: java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java
package dev.nabla.cpu;

import dev.nabla.backend.Activation;

/**
 * The CPU backend's operations on double arrays. Matrix products accumulate in the element type
 * (in FP32 as a GPU's FP32 mode does); elementwise functions are evaluated in double and rounded
 * once; reductions (the loss, bias gradients) sum in double. Large operations are split over the
 * backend's threads without changing any result: every output element is computed by the same
 * sequence of operations whatever the split.
 */
final class CpuOpsFp64 implements CpuOps {
    /** Elementwise loops shorter than this stay on one thread. */
    private static final int ELEMENT_GRAIN = 1 << 15;
    /** Rows per partial sum of the loss; fixed, so the sum is the same for any number of threads. */
    private static final int LOSS_BLOCK_ROWS = 4096;

    private final Parallel par;
    private final CpuGemm gemm;
    private final CpuActivations activations;

    CpuOpsFp64(Parallel par, CpuGemm gemm, CpuActivations activations) {
        this.par = par;
        this.gemm = gemm;
        this.activations = activations;
    }

    @Override
    public void upload(double[] src, int offset, CpuMatrix dst) {
        System.arraycopy(src, offset, dst.doubles(), 0, dst.elementCount());
    }

    @Override
    public void upload(float[] src, int offset, CpuMatrix dst) {
        double[] out = dst.doubles();
        for (int i = 0; i < dst.elementCount(); i++) {
            out[i] = src[offset + i];
        }
    }

    @Override
    public void download(CpuMatrix src, double[] dst, int offset) {
        System.arraycopy(src.doubles(), 0, dst, offset, src.elementCount());
    }

    @Override
    public void download(CpuMatrix src, float[] dst, int offset) {
        double[] in = src.doubles();
        for (int i = 0; i < src.elementCount(); i++) {
            dst[offset + i] = (float) in[i];
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, double alpha, CpuMatrix a, CpuMatrix b, double beta,
            CpuMatrix c) {
        int k = transA ? a.rows() : a.cols();
        gemm.multiply(par, transA, transB, c.rows(), c.cols(), k, alpha, a.doubles(), b.doubles(), beta, c.doubles());
    }

    @Override
    public void activationForward(Activation f, CpuMatrix z, CpuMatrix a) {
        double[] in = z.doubles();
        double[] out = a.doubles();
        par.forRange(z.elementCount(), ELEMENT_GRAIN, (from, to) -> activations.forward(f, in, out, from, to));
    }

    @Override
    public void activationBackward(Activation f, CpuMatrix a, CpuMatrix g, CpuMatrix delta) {
        double[] av = a.doubles();
        double[] gv = g.doubles();
        double[] out = delta.doubles();
        par.forRange(a.elementCount(), ELEMENT_GRAIN, (from, to) -> activations.backward(f, av, gv, out, from, to));
    }

    @Override
    public void mseLoss(CpuMatrix output, CpuMatrix target, int count, CpuMatrix delta, double beta,
            CpuMatrix loss) {
        int rows = output.rows();
        int cols = output.cols();
        int blocks = (rows + LOSS_BLOCK_ROWS - 1) / LOSS_BLOCK_ROWS;
        double[] partial = new double[blocks];
        double scale = (1.0d / count);
        double[] o = output.doubles();
        double[] t = target.doubles();
        double[] d = delta.doubles();
        par.forRange(blocks, 1, (fromBlock, toBlock) -> {
            for (int blk = fromBlock; blk < toBlock; blk++) {
                int from = blk * LOSS_BLOCK_ROWS * cols;
                int to = Math.min(rows, (blk + 1) * LOSS_BLOCK_ROWS) * cols;
                partial[blk] = mseBlock(o, t, d, from, to, scale);
            }
        });
        double sum = 0;
        for (double p : partial) {
            sum += p;
        }
        double[] l = loss.doubles();
        l[0] = (beta == 0.0d ? sum / count : sum / count + beta * l[0]);
    }

    /** Sum of {@code 1/2 (t - o)^2} over {@code [from, to)}, in double; writes {@code delta = (o - t) * scale}. */
    private static double mseBlock(double[] o, double[] t, double[] delta, int from, int to, double scale) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            double diff = o[i] - t[i];
            sum += 0.5d * diff * diff;
            delta[i] = diff * scale;
        }
        return sum;
    }

    @Override
    public void addBias(CpuMatrix bias, CpuMatrix z) {
        int rows = z.rows();
        int cols = z.cols();
        double[] b = bias.doubles();
        double[] out = z.doubles();
        par.forRange(rows, Math.max(1, ELEMENT_GRAIN / cols), (from, to) -> {
            for (int r = from; r < to; r++) {
                for (int j = 0; j < cols; j++) {
                    out[r * cols + j] += b[j];
                }
            }
        });
    }

    @Override
    public void biasGradient(CpuMatrix delta, double beta, CpuMatrix grad) {
        int rows = delta.rows();
        int cols = delta.cols();
        double[] d = delta.doubles();
        double[] out = grad.doubles();
        // Columns are split among threads; each column is summed over rows in order, in double.
        par.forRange(cols, Math.max(1, ELEMENT_GRAIN / rows), (from, to) -> {
            for (int j = from; j < to; j++) {
                double s = 0;
                for (int r = 0; r < rows; r++) {
                    s += d[r * cols + j];
                }
                out[j] = (beta == 0.0d ? s : s + beta * out[j]);
            }
        });
    }

    @Override
    public void sgdUpdate(double lr, CpuMatrix grad, CpuMatrix param) {
        double[] g = grad.doubles();
        double[] w = param.doubles();
        double rate = lr;
        par.forRange(param.elementCount(), ELEMENT_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                w[i] -= rate * g[i];
            }
        });
    }

    @Override
    public double[] asDoubles(CpuMatrix m, double[] scratch) {
        return m.doubles();
    }

    @Override
    public void store(double[] sums, int from, int n, int divisor, double beta, CpuMatrix dst) {
        double[] out = dst.doubles();
        for (int i = 0; i < n; i++) {
            out[i] = (beta == 0.0d ? sums[from + i] / divisor : sums[from + i] / divisor + beta * out[i]);
        }
    }
}

package dev.nabla.cpu;

import dev.nabla.backend.Activation;
import dev.nabla.backend.LayerParameters;
import java.util.Arrays;
import java.util.List;

/**
 * {@link dev.nabla.backend.Backend#networkGradients} for small networks: forward, loss and backward
 * of one sample at a time, its terms added into sums, so the batch is read once. The layer-by-layer
 * operations pass over {@code B x width} matrices a dozen times per step, which for a network as
 * narrow as the document's 2-2-2 is all the step costs.
 *
 * <p>Everything is computed in double and rounded once where an FP32 result is stored. Rows are
 * summed in chunks of {@value #CHUNK_ROWS}, each chunk in row order and the chunks in chunk order,
 * so the result is the same for any number of threads.
 */
final class FusedNetwork {
    /** The widest layer and the deepest network fused; beyond them the vectorized products win. */
    static final int MAX_WIDTH = 8;
    static final int MAX_DEPTH = 4;
    /** Rows a thread takes at once: their activations stay in its cache between the layers. */
    private static final int CHUNK_ROWS = 512;

    private final int depth;
    private final int[] widths;
    private final Activation[] activations;
    private final double[][] weights;
    /** Per layer the bias, or zeros for a layer without one. */
    private final double[][] bias;
    /** Where each layer's weight terms, then its bias terms, start in a chunk's sums; the loss is last. */
    private final int[] offsets;
    private final int terms;
    private final double scale;

    private FusedNetwork(int[] widths, Activation[] activations, double[][] weights, double[][] bias, double scale) {
        this.depth = activations.length;
        this.widths = widths;
        this.activations = activations;
        this.weights = weights;
        this.bias = bias;
        this.scale = scale;
        this.offsets = new int[depth];
        int p = 0;
        for (int l = 0; l < depth; l++) {
            offsets[l] = p;
            p += widths[l + 1] * (widths[l] + 1);
        }
        this.terms = p + 1;
    }

    static boolean fits(int[] widths) {
        if (widths.length - 1 > MAX_DEPTH) {
            return false;
        }
        for (int w : widths) {
            if (w > MAX_WIDTH) {
                return false;
            }
        }
        return true;
    }

    /** Computes the loss and gradients of {@code layers} on {@code x}, {@code t} into the layers' gradient matrices and {@code loss}. */
    static void run(Parallel par, ElementKernel elements, List<LayerParameters> layers, CpuMatrix x, CpuMatrix t, int count, double beta,
            CpuMatrix loss, boolean fp64) {
        int depth = layers.size();
        int[] widths = new int[depth + 1];
        Activation[] acts = new Activation[depth];
        double[][] w = new double[depth][];
        double[][] b = new double[depth][];
        widths[0] = x.cols();
        for (int l = 0; l < depth; l++) {
            LayerParameters p = layers.get(l);
            widths[l + 1] = p.outputs();
            acts[l] = p.activation();
            w[l] = doubles((CpuMatrix) p.weights(), fp64);
            b[l] = p.bias() == null ? new double[p.outputs()] : doubles((CpuMatrix) p.bias(), fp64);
        }
        FusedNetwork net = new FusedNetwork(widths, acts, w, b, 1.0 / count);
        int rows = x.rows();
        int chunks = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
        double[] sums = new double[chunks * net.terms];
        par.forRange(chunks, 1, (from, to) -> {
            Chunk s = net.new Chunk(fp64 ? x.d() : null, fp64 ? null : x.f(), fp64 ? t.d() : null,
                    fp64 ? null : t.f(), elements);
            for (int c = from; c < to; c++) {
                s.sum(c * CHUNK_ROWS, Math.min(rows, (c + 1) * CHUNK_ROWS), sums, c * net.terms);
            }
        });
        double[] total = new double[net.terms];
        for (int c = 0; c < chunks; c++) {
            for (int p = 0; p < net.terms; p++) {
                total[p] += sums[c * net.terms + p];
            }
        }
        for (int l = 0; l < depth; l++) {
            LayerParameters p = layers.get(l);
            int n = widths[l] * widths[l + 1];
            store(total, net.offsets[l], n, beta, (CpuMatrix) p.weightGrad(), fp64);
            if (p.biasGrad() != null) {
                store(total, net.offsets[l] + n, widths[l + 1], beta, (CpuMatrix) p.biasGrad(), fp64);
            }
        }
        double lossValue = total[net.terms - 1] / count;
        if (fp64) {
            loss.d()[0] = beta == 0.0 ? lossValue : lossValue + beta * loss.d()[0];
        } else {
            loss.f()[0] = (float) (beta == 0.0 ? lossValue : lossValue + beta * loss.f()[0]);
        }
    }

    private static double[] doubles(CpuMatrix m, boolean fp64) {
        if (fp64) {
            return m.d();
        }
        float[] f = m.f();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** {@code dst = total[from ..] + beta * dst}, {@code n} elements; with {@code beta = 0} {@code dst} is not read. */
    private static void store(double[] total, int from, int n, double beta, CpuMatrix dst, boolean fp64) {
        for (int i = 0; i < n; i++) {
            if (fp64) {
                double[] d = dst.d();
                d[i] = beta == 0.0 ? total[from + i] : total[from + i] + beta * d[i];
            } else {
                float[] f = dst.f();
                f[i] = (float) (beta == 0.0 ? total[from + i] : total[from + i] + beta * f[i]);
            }
        }
    }

    /**
     * One thread's working space: a chunk's activations and gradients, layer by layer, stored by
     * feature ({@code a[l][j * CHUNK_ROWS + r]} is feature {@code j} of row {@code r}), so that every
     * inner loop runs over the chunk's rows through contiguous memory.
     */
    private final class Chunk {
        private final double[] xd;
        private final float[] xf;
        private final double[] td;
        private final float[] tf;
        private final ElementKernel elements;
        private final double[][] a = new double[depth + 1][];
        private double[] g = new double[CHUNK_ROWS * MAX_WIDTH];
        private double[] gPrev = new double[CHUNK_ROWS * MAX_WIDTH];

        Chunk(double[] xd, float[] xf, double[] td, float[] tf, ElementKernel elements) {
            this.xd = xd;
            this.xf = xf;
            this.td = td;
            this.tf = tf;
            this.elements = elements;
            for (int l = 0; l <= depth; l++) {
                a[l] = new double[CHUNK_ROWS * widths[l]];
            }
        }

        /** Puts the terms of rows {@code [from, to)}, at most {@value #CHUNK_ROWS}, into {@code sums[at .. at + terms)}. */
        void sum(int from, int to, double[] sums, int at) {
            int n = to - from;
            int in = widths[0];
            double[] a0 = a[0];
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < in; i++) {
                    int k = (from + r) * in + i;
                    a0[i * CHUNK_ROWS + r] = xd != null ? xd[k] : xf[k];
                }
            }
            forward(n);
            int out = widths[depth];
            double[] o = a[depth];
            double lossSum = 0;
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < out; j++) {
                    int k = (from + r) * out + j;
                    double d = o[j * CHUNK_ROWS + r] - (td != null ? td[k] : tf[k]);
                    lossSum += 0.5 * d * d;
                    g[j * CHUNK_ROWS + r] = d * scale;
                }
            }
            backward(n, sums, at);
            sums[at + terms - 1] = lossSum;
        }

        /** {@code a_l = f_l(a_{l-1} W_l^T + b_l)} for every layer, over {@code n} rows. */
        private void forward(int n) {
            for (int l = 0; l < depth; l++) {
                int in = widths[l];
                int out = widths[l + 1];
                double[] w = weights[l];
                double[] prev = a[l];
                double[] next = a[l + 1];
                for (int j = 0; j < out; j++) {
                    Arrays.fill(next, j * CHUNK_ROWS, j * CHUNK_ROWS + n, bias[l][j]);
                    for (int i = 0; i < in; i++) {
                        axpy(w[j * in + i], prev, i * CHUNK_ROWS, next, j * CHUNK_ROWS, n);
                    }
                    elements.forward(activations[l], next, next, j * CHUNK_ROWS, j * CHUNK_ROWS + n);
                }
            }
        }

        /** From {@code g = dLoss/da_L}: each layer's delta (in {@code g}), its sums, and the gradient passed down. */
        private void backward(int n, double[] sums, int at) {
            for (int l = depth - 1; l >= 0; l--) {
                int in = widths[l];
                int out = widths[l + 1];
                double[] prev = a[l];
                double[] w = weights[l];
                int wAt = at + offsets[l];
                int bAt = wAt + in * out;
                for (int j = 0; j < out; j++) {
                    int gj = j * CHUNK_ROWS;
                    elements.backward(activations[l], a[l + 1], g, g, gj, gj + n);
                    double sb = 0;
                    for (int r = 0; r < n; r++) {
                        sb += g[gj + r];
                    }
                    sums[bAt + j] = sb;
                    for (int i = 0; i < in; i++) {
                        double sw = 0;
                        for (int r = 0; r < n; r++) {
                            sw += g[gj + r] * prev[i * CHUNK_ROWS + r];
                        }
                        sums[wAt + j * in + i] = sw;
                    }
                }
                if (l > 0) {
                    for (int i = 0; i < in; i++) {
                        Arrays.fill(gPrev, i * CHUNK_ROWS, i * CHUNK_ROWS + n, 0.0);
                        for (int j = 0; j < out; j++) {
                            axpy(w[j * in + i], g, j * CHUNK_ROWS, gPrev, i * CHUNK_ROWS, n);
                        }
                    }
                    double[] swap = g;
                    g = gPrev;
                    gPrev = swap;
                }
            }
        }
    }

    /** {@code y[yAt + r] += alpha * x[xAt + r]} for {@code r < n}. */
    private static void axpy(double alpha, double[] x, int xAt, double[] y, int yAt, int n) {
        for (int r = 0; r < n; r++) {
            y[yAt + r] += alpha * x[xAt + r];
        }
    }
}

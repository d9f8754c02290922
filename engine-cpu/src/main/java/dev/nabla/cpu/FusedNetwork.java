package dev.nabla.cpu;

import dev.nabla.backend.Activation;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.Precision;
import java.util.Arrays;
import java.util.List;

/**
 * {@link dev.nabla.backend.Backend#networkGradients} for small networks: forward, loss and backward
 * of a chunk of {@value #CHUNK_ROWS} rows at a time, layer after layer while the chunk stays in the
 * thread's cache, its terms added into the chunk's sums, so the batch is read once. The
 * layer-by-layer operations pass over {@code B x width} matrices a dozen times per step, which for
 * a network as narrow as the document's 2-2-2 is all the step costs.
 *
 * <p>An instance is the plan for one list of layers (a trainer passes the same list every step), so
 * its buffers are allocated once. Everything is computed in double and rounded once where an FP32
 * result is stored. Each chunk is summed in row order and the chunks in chunk order, so the result
 * is the same for any number of threads.
 *
 * <p>Hand-written, not a precision template: it computes in double in both precisions; only its
 * edges differ, reading the batch (a {@code double[]} or {@code float[]} element) and the
 * parameters ({@link CpuOps#asDoubles}) and storing the sums ({@link CpuOps#store}).
 */
final class FusedNetwork {
    /** The widest layer and the deepest network fused; beyond them the vectorized products win. */
    static final int MAX_WIDTH = 8;

    static final int MAX_DEPTH = 4;
    /** Rows a thread takes at once: their activations stay in its cache between the layers. */
    private static final int CHUNK_ROWS = 512;

    private final List<LayerParameters> layers;
    private final boolean fp64;
    private final CpuOps ops;
    private final int depth;
    private final int[] widths;
    private final Activation[] activations;
    /** Per layer the weights as doubles: the matrix's own array in FP64, a copy made each run in FP32. */
    private final double[][] weights;
    /** Per layer the bias likewise, or zeros for a layer without one. */
    private final double[][] bias;
    /** Where each layer's weight terms, then its bias terms, start in a chunk's sums; the loss is last. */
    private final int[] offsets;

    private final int terms;
    private final double[] total;
    /** Every chunk's sums, {@code terms} each; grows with the batch. */
    private double[] sums = new double[0];
    /** Each thread's working space, made at its first chunk. */
    private final ThreadLocal<Chunk> workspace;

    FusedNetwork(List<LayerParameters> layers, int inputs, Precision precision, CpuOps ops, CpuActivations functions) {
        this.layers = layers;
        this.fp64 = precision == Precision.FP64;
        this.ops = ops;
        this.depth = layers.size();
        this.widths = new int[depth + 1];
        this.activations = new Activation[depth];
        this.weights = new double[depth][];
        this.bias = new double[depth][];
        this.offsets = new int[depth];
        widths[0] = inputs;
        int p = 0;
        for (int l = 0; l < depth; l++) {
            LayerParameters lp = layers.get(l);
            widths[l + 1] = lp.outputs();
            activations[l] = lp.activation();
            weights[l] = new double[lp.inputs() * lp.outputs()];
            bias[l] = new double[lp.outputs()];
            offsets[l] = p;
            p += widths[l + 1] * (widths[l] + 1);
        }
        this.terms = p + 1;
        this.total = new double[terms];
        this.workspace = ThreadLocal.withInitial(() -> new Chunk(functions));
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

    /** Whether this is the plan for {@code layers} (the same list). */
    boolean isFor(List<LayerParameters> layers) {
        return this.layers == layers;
    }

    // The run under way, as the chunks read it: the batch in its precision (the other array null), its divisor.
    private double[] xd;
    private float[] xf;
    private double[] td;
    private float[] tf;
    private double scale;
    private int rows;
    /** The loop over chunks, made once: a run allocates nothing. */
    private final Parallel.Range chunkLoop = this::sumChunks;

    /** Computes the loss and gradients on {@code x}, {@code t} into the layers' gradient matrices and {@code loss}. */
    void run(Parallel par, CpuMatrix x, CpuMatrix t, int count, double beta, CpuMatrix loss) {
        for (int l = 0; l < depth; l++) { // read through the matrices each run, so a closed one fails here
            LayerParameters lp = layers.get(l);
            weights[l] = ops.asDoubles(CpuMatrix.of(lp.weights()), weights[l]);
            if (lp.bias() != null) {
                bias[l] = ops.asDoubles(CpuMatrix.of(lp.bias()), bias[l]);
            }
        }
        xd = fp64 ? x.doubles() : null;
        xf = fp64 ? null : x.floats();
        td = fp64 ? t.doubles() : null;
        tf = fp64 ? null : t.floats();
        scale = 1.0 / count;
        rows = x.rows();
        int chunks = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
        if (sums.length < chunks * terms) {
            sums = new double[chunks * terms];
        }
        double[] chunkSums = sums;
        par.forRange(chunks, 1, chunkLoop);
        xd = td = null;
        xf = tf = null;
        Arrays.fill(total, 0.0);
        for (int c = 0; c < chunks; c++) {
            for (int p = 0; p < terms; p++) {
                total[p] += chunkSums[c * terms + p];
            }
        }
        for (int l = 0; l < depth; l++) {
            LayerParameters lp = layers.get(l);
            int n = widths[l] * widths[l + 1];
            ops.store(total, offsets[l], n, 1, beta, CpuMatrix.of(lp.weightGrad()));
            if (lp.biasGrad() != null) {
                ops.store(total, offsets[l] + n, widths[l + 1], 1, beta, CpuMatrix.of(lp.biasGrad()));
            }
        }
        ops.store(total, terms - 1, 1, count, beta, loss);
    }

    /** Chunks {@code [from, to)} of the run under way, each into its own part of {@link #sums}. */
    private void sumChunks(int from, int to) {
        Chunk s = workspace.get();
        for (int c = from; c < to; c++) {
            s.sum(c * CHUNK_ROWS, Math.min(rows, (c + 1) * CHUNK_ROWS), sums, c * terms);
        }
    }

    /**
     * One thread's working space: a chunk's activations and gradients, layer by layer, stored by
     * feature ({@code a[l][j * CHUNK_ROWS + r]} is feature {@code j} of row {@code r}), so that every
     * inner loop runs over the chunk's rows through contiguous memory.
     */
    private final class Chunk {
        private final CpuActivations functions;
        private final double[][] a = new double[depth + 1][];
        private double[] g = new double[CHUNK_ROWS * MAX_WIDTH];
        private double[] gPrev = new double[CHUNK_ROWS * MAX_WIDTH];

        Chunk(CpuActivations functions) {
            this.functions = functions;
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
                    functions.forward(activations[l], next, next, j * CHUNK_ROWS, j * CHUNK_ROWS + n);
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
                    functions.backward(activations[l], a[l + 1], g, g, gj, gj + n);
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

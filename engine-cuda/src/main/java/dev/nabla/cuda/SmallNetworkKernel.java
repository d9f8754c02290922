package dev.nabla.cuda;

import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.Matrix;
import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * The launcher of {@code small_network.cu}: a small network's loss and gradients in one pass over
 * the batch (two launches, whatever the depth), for networks at most {@value #MAX_DEPTH} deep whose
 * widths are all at most the widest kernel's {@code W}.
 */
final class SmallNetworkKernel {
    /** The widths the kernel is compiled for; a network takes the narrowest that holds its widest layer. */
    static final int[] WIDTHS = {2, 4, 8};
    /** NABLA_MAX_DEPTH in small_network.cu. */
    static final int MAX_DEPTH = 4;
    /** At most this many blocks (small_network.cu's precondition); fewer for small batches. */
    private static final int MAX_BLOCKS = 1024;

    private SmallNetworkKernel() {}

    /** Whether a network of these widths (inputs, then each layer's outputs) fits a kernel. */
    static boolean fits(int[] widths) {
        return widths.length - 1 <= MAX_DEPTH && kernelIndex(widths) >= 0;
    }

    private static int kernelIndex(int[] widths) {
        int widest = 0;
        for (int w : widths) {
            widest = Math.max(widest, w);
        }
        for (int i = 0; i < WIDTHS.length; i++) {
            if (widest <= WIDTHS[i]) {
                return i;
            }
        }
        return -1;
    }

    /** Terms per block: per layer {@code W x W} weights and {@code W} biases, for four layers, and the loss. */
    static int terms(int w) {
        return MAX_DEPTH * w * (w + 1) + 1;
    }

    /** Blocks of the first stage: set by the batch alone, so that every GPU sums in the same order. */
    static int blocks(int rows) {
        return (int) Math.min(MAX_BLOCKS, ((long) rows + Launch.BLOCK - 1) / Launch.BLOCK);
    }

    /** Bytes of scratch the two stages share for a batch of {@code rows} with these widths. */
    static long scratchBytes(int[] widths, int rows) {
        return (long) blocks(rows) * terms(WIDTHS[kernelIndex(widths)]) * Double.BYTES;
    }

    /**
     * Queues both stages on {@code stream}; {@code partial} holds {@link #scratchBytes}.
     * {@code scale} and {@code beta} are as {@link dev.nabla.backend.Backend#networkGradients} says.
     */
    static void launch(
            KernelSet kernels,
            CUstream stream,
            int[] widths,
            List<LayerParameters> layers,
            Matrix x,
            Matrix t,
            double scale,
            Object scaleArg,
            double beta,
            Matrix loss,
            CUdeviceptr partial) {
        int k = kernelIndex(widths);
        int blocks = blocks(x.rows());
        Launch.linear(
                kernels.smallNetworkPartial[k], stream, blocks, partialArgs(widths, layers, x, t, scaleArg, partial));
        // One block sums each term over the blocks in order.
        Launch.linear(
                kernels.smallNetworkFinish,
                stream,
                1,
                finishArgs(widths, layers, x.rows(), scale, beta, loss, partial));
    }

    /** The arguments of {@code small_network_partial_w<W>}, in its order. */
    static Object[] partialArgs(
            int[] widths, List<LayerParameters> layers, Matrix x, Matrix t, Object scaleArg, CUdeviceptr partial) {
        Object[] weights = new Object[MAX_DEPTH];
        Object[] biases = new Object[MAX_DEPTH];
        Object[] acts = new Object[MAX_DEPTH];
        for (int l = 0; l < MAX_DEPTH; l++) {
            LayerParameters p = l < layers.size() ? layers.get(l) : null;
            acts[l] = p == null ? 0 : p.activation().ordinal(); // the codes of activation.cuh
            weights[l] = p == null ? Launch.NULL : ptr(p.weights());
            biases[l] = p == null || p.bias() == null ? Launch.NULL : ptr(p.bias());
        }
        return concat(new Object[] {x.rows(), layers.size()}, dims(widths), acts, weights, biases, new Object[] {
            ptr(x), ptr(t), scaleArg, partial
        });
    }

    /** The arguments of {@code small_network_finish}, in its order. */
    static Object[] finishArgs(
            int[] widths,
            List<LayerParameters> layers,
            int rows,
            double scale,
            double beta,
            Matrix loss,
            CUdeviceptr partial) {
        Object[] weightGrads = new Object[MAX_DEPTH];
        Object[] biasGrads = new Object[MAX_DEPTH];
        for (int l = 0; l < MAX_DEPTH; l++) {
            LayerParameters p = l < layers.size() ? layers.get(l) : null;
            weightGrads[l] = p == null ? Launch.NULL : ptr(p.weightGrad());
            biasGrads[l] = p == null || p.biasGrad() == null ? Launch.NULL : ptr(p.biasGrad());
        }
        return concat(
                new Object[] {blocks(rows), WIDTHS[kernelIndex(widths)], layers.size()},
                dims(widths),
                new Object[] {scale, beta, partial},
                weightGrads,
                biasGrads,
                new Object[] {ptr(loss)});
    }

    /** The widths as the kernels take them: five, zero past the network's. */
    private static Object[] dims(int[] widths) {
        Object[] dims = new Object[MAX_DEPTH + 1];
        for (int l = 0; l <= MAX_DEPTH; l++) {
            dims[l] = l < widths.length ? widths[l] : 0;
        }
        return dims;
    }

    private static CUdeviceptr ptr(Matrix m) {
        return DeviceMatrix.of(m).ptr;
    }

    private static Object[] concat(Object[]... parts) {
        int n = 0;
        for (Object[] p : parts) {
            n += p.length;
        }
        Object[] out = new Object[n];
        int at = 0;
        for (Object[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}

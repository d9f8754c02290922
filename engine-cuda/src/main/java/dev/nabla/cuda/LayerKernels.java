package dev.nabla.cuda;

import dev.nabla.backend.Activation;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * The launches of Nabla's own kernels for a training step's elementwise operations and
 * reductions (activation, softmax, mse, logit-loss, bias, optimizer and small-network {@code .cu}
 * files), queued on the
 * compute stream: each method computes its grid, as the kernel's header asks, and queues the
 * kernels with their arguments ({@link KernelArgs}). Called on the CUDA thread, with the shapes
 * already checked; reductions take their partial sums in the backend's scratch memory.
 */
final class LayerKernels {
    /** Most blocks of the loss reduction's first stage; the limit mse.cu states. */
    private static final int MSE_MAX_BLOCKS = 1024;
    /** Rows per block of the row-wise kernels (softmax, logit losses): one warp of 32 threads each (rows.cuh). */
    private static final int ROWS_PER_BLOCK = Launch.BLOCK / 32;
    /** Most blocks of the logit losses' first stage; the limit logit_loss.cu states. */
    private static final int LOGIT_LOSS_MAX_BLOCKS = 1024;
    /** Row chunks of the bias-gradient reduction: at least 64 rows each, at most 1024 chunks (bias.cu). */
    private static final int BIAS_MIN_CHUNK_ROWS = 64;

    private static final int BIAS_MAX_CHUNKS = 1024;

    private final KernelSet kernels;
    private final CUstream stream;
    private final Precision precision;
    private final DeviceMemory memory;
    private final CudaGraphs graphs;

    LayerKernels(KernelSet kernels, CUstream stream, Precision precision, DeviceMemory memory, CudaGraphs graphs) {
        this.kernels = kernels;
        this.stream = stream;
        this.precision = precision;
        this.memory = memory;
        this.graphs = graphs;
    }

    private static CUdeviceptr ptr(Matrix m) {
        return DeviceMatrix.of(m).ptr;
    }

    /** Reduction scratch of at least {@code bytes}, kept if a graph being captured may use the old one. */
    private CUdeviceptr scratch(long bytes) {
        return memory.scratch(bytes, graphs.capturing());
    }

    void activationForward(Activation f, Matrix z, Matrix a) {
        int n = DeviceMatrix.of(z).elementCount();
        Launch.linear(
                kernels.forward[f.ordinal()],
                stream,
                Launch.blocksFor(n),
                KernelArgs.activationForward(n, ptr(z), ptr(a)));
    }

    void activationBackward(Activation f, Matrix a, Matrix g, Matrix delta) {
        int n = DeviceMatrix.of(a).elementCount();
        Launch.linear(
                kernels.backward[f.ordinal()],
                stream,
                Launch.blocksFor(n),
                KernelArgs.activationBackward(n, ptr(a), ptr(g), ptr(delta)));
    }

    /** Softmax over each row ({@code softmax.cu}); {@code a} may be {@code z}. */
    void softmaxForward(Matrix z, Matrix a) {
        int rows = z.rows();
        // One warp per row, 8 rows a block; the warps step over the rows, so a capped grid is correct.
        Launch.linear(
                kernels.softmaxForward,
                stream,
                Launch.blocksFor((long) rows * 32),
                KernelArgs.softmaxForward(rows, z.cols(), ptr(z), ptr(a)));
    }

    /** A loss fused with its output activation ({@code logit_loss.cu}): delta, then loss = [mean loss, rows right]. */
    void logitLoss(LogitLoss kind, Matrix z, Matrix target, int count, Matrix delta, double beta, Matrix loss) {
        int rows = z.rows();
        // One warp per row, 8 rows a block; the block count depends on the rows only, so the sums'
        // order is the same on every GPU.
        int blocks = (int) Math.min(LOGIT_LOSS_MAX_BLOCKS, ((long) rows + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK);
        // The blocks' loss sums, then their counts of rows right.
        CUdeviceptr partial = scratch(2L * blocks * Double.BYTES);
        Launch.linear(
                kernels.logitLossForward[kind.ordinal()],
                stream,
                blocks,
                KernelArgs.logitLossForward(rows, z.cols(), 1.0 / count, ptr(z), ptr(target), ptr(delta), partial));
        Launch.linear(
                kernels.logitLossFinish,
                stream,
                1,
                KernelArgs.logitLossFinish(blocks, count, beta, partial, ptr(loss)));
    }

    void mseLoss(Matrix output, Matrix target, int count, Matrix delta, double beta, Matrix loss) {
        int n = DeviceMatrix.of(output).elementCount();
        // The first stage's block count depends on n only, so the sum's order is the same on every GPU.
        int blocks = (int) Math.min(MSE_MAX_BLOCKS, ((long) n + Launch.BLOCK - 1) / Launch.BLOCK);
        double scale = 1.0 / count;
        CUdeviceptr partial = scratch((long) blocks * Double.BYTES);
        Launch.linear(
                kernels.mseForward,
                stream,
                blocks,
                KernelArgs.mseForward(precision, n, scale, ptr(output), ptr(target), ptr(delta), partial));
        Launch.linear(kernels.mseFinish, stream, 1, KernelArgs.mseFinish(blocks, scale, beta, partial, ptr(loss)));
    }

    void addBias(Matrix bias, Matrix z) {
        int rows = z.rows();
        int cols = z.cols();
        Launch.linear(
                kernels.biasForward,
                stream,
                Launch.blocksFor((long) rows * cols),
                KernelArgs.biasForward(rows, cols, ptr(bias), ptr(z)));
    }

    void biasGradient(Matrix delta, double beta, Matrix grad) {
        int rows = delta.rows();
        int cols = delta.cols();
        // Fixed by the shape alone, so every sum runs in the same order on every GPU.
        int chunks = Math.min(BIAS_MAX_CHUNKS, Launch.ceilDiv(rows, BIAS_MIN_CHUNK_ROWS));
        int rowsPerChunk = Launch.ceilDiv(rows, chunks);
        CUdeviceptr partial = scratch((long) chunks * cols * Double.BYTES);
        // Block (32, 8): 32 columns, 8 rows at a time; grid (column groups, row chunks).
        Launch.kernel(
                kernels.biasPartial,
                stream,
                Launch.ceilDiv(cols, 32),
                chunks,
                32,
                8,
                KernelArgs.biasPartial(rows, cols, rowsPerChunk, ptr(delta), partial));
        // One thread per column sums the chunks in order.
        Launch.kernel(
                kernels.biasFinish,
                stream,
                Launch.ceilDiv(cols, Launch.BLOCK),
                1,
                Launch.BLOCK,
                1,
                KernelArgs.biasFinish(chunks, cols, beta, partial, ptr(grad)));
    }

    /**
     * One fused optimizer step of one parameter tensor ({@code optimizer.cu}); the kernel reads the
     * step's learning rate and bias corrections from {@code scalars} when it runs.
     */
    void optimizerUpdate(Optimizer rule, Matrix scalars, Matrix grad, Matrix param, Matrix first, Matrix second) {
        int n = DeviceMatrix.of(param).elementCount();
        // Elementwise, grid-stride: any grid is correct, this one covers n once where it can.
        int blocks = Launch.blocksFor(n);
        Object[] args = switch (rule.kind()) {
            case SGD ->
                rule.states() == 0
                        ? KernelArgs.sgdUpdate(n, rule.weightDecay(), ptr(scalars), ptr(grad), ptr(param))
                        : KernelArgs.sgdMomentumUpdate(
                                n,
                                rule.momentum(),
                                rule.nesterov(),
                                rule.weightDecay(),
                                ptr(scalars),
                                ptr(grad),
                                ptr(param),
                                ptr(first));
            case ADAM, ADAMW ->
                KernelArgs.adamUpdate(
                        n,
                        rule.beta1(),
                        rule.beta2(),
                        rule.eps(),
                        rule.weightDecay(),
                        rule.kind() == Optimizer.Kind.ADAMW,
                        ptr(scalars),
                        ptr(grad),
                        ptr(param),
                        ptr(first),
                        ptr(second));
        };
        Launch.linear(
                rule.kind() != Optimizer.Kind.SGD
                        ? kernels.adamUpdate
                        : rule.states() == 0 ? kernels.sgdUpdate : kernels.sgdMomentumUpdate,
                stream,
                blocks,
                args);
    }

    /** The fused small network ({@link SmallNetworkKernel}); {@code widths} are the inputs, then each layer's outputs. */
    void networkGradients(
            int[] widths, List<LayerParameters> layers, Matrix x, Matrix t, int count, double beta, Matrix loss) {
        double scale = 1.0 / count;
        SmallNetworkKernel.launch(
                kernels,
                stream,
                widths,
                layers,
                x,
                t,
                scale,
                KernelArgs.scalar(precision, scale),
                beta,
                loss,
                scratch(SmallNetworkKernel.scratchBytes(widths, x.rows())));
    }
}

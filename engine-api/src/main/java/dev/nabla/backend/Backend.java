package dev.nabla.backend;

import dev.nabla.JavaHeap;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The operations a training step is made of, on matrices the backend owns.
 *
 * <p>Every public method checks its arguments ({@link BackendChecks}), once for all backends, and then calls the
 * backend's {@code do...} implementation, which may assume the shapes fit. A backend computes in
 * one {@link Precision}, fixed when it is opened. Shapes use one vocabulary: {@code B} samples
 * in a batch, {@code I} inputs of a layer, {@code O} outputs of a layer.
 *
 * <p>Operations may run asynchronously (a GPU queues them); {@link #download} and
 * {@link #synchronize()} wait for everything queued before them. A backend is used from one
 * thread at a time. Closing it frees every matrix it allocated.
 */
public abstract class Backend implements AutoCloseable {
    private boolean closed;
    /** The widths {@link #fusesNetwork} last said yes to. */
    private final FusedWidths fusedWidths = new FusedWidths();

    /** Short name as used by {@code --backend}: {@code cpu}, {@code cuda}. */
    public abstract String name();

    /** The floating-point format this backend stores and computes in, fixed when it was opened. */
    public abstract Precision precision();

    /** One line saying what computes: the device, threads, the GEMM path. */
    public abstract String description();

    /** A new {@code rows x cols} matrix. Its contents are unspecified until written. */
    public final Matrix allocate(int rows, int cols) {
        ensureOpen();
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException(
                    "allocate: a matrix needs at least one row and one column, not " + rows + "x" + cols);
        }
        if ((long) rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "allocate: " + rows + "x" + cols + " has more than " + Integer.MAX_VALUE + " elements");
        }
        return doAllocate(rows, cols);
    }

    /** {@code dst <- src[offset .. offset + dst.size())}, row-major. */
    public final void upload(double[] src, int offset, Matrix dst) {
        BackendChecks.hostRange("upload", src.length, offset, own(dst, "dst"));
        doUpload(src, offset, dst);
    }

    /** {@code dst <- src[offset .. offset + dst.size())}, row-major. */
    public final void upload(float[] src, int offset, Matrix dst) {
        BackendChecks.hostRange("upload", src.length, offset, own(dst, "dst"));
        doUpload(src, offset, dst);
    }

    /** {@code dst[offset .. offset + src.size()) <- src}, row-major; waits for queued work. */
    public final void download(Matrix src, double[] dst, int offset) {
        BackendChecks.hostRange("download", dst.length, offset, own(src, "src"));
        doDownload(src, dst, offset);
    }

    /** {@code dst[offset .. offset + src.size()) <- src}, row-major; waits for queued work. */
    public final void download(Matrix src, float[] dst, int offset) {
        BackendChecks.hostRange("download", dst.length, offset, own(src, "src"));
        doDownload(src, dst, offset);
    }

    /** A new array holding {@code src}, row-major; waits for queued work. */
    public final double[] download(Matrix src) {
        double[] out = new double[Math.toIntExact(own(src, "src").size())];
        doDownload(src, out, 0);
        return out;
    }

    /**
     * {@code c = alpha * op(a) * op(b) + beta * c}, where {@code op(x)} is {@code x} or its transpose.
     * With {@code beta == 0} the old contents of {@code c} are not read (NaN there stays out).
     * {@code c} must not share storage with {@code a} or {@code b}.
     */
    public final void gemm(boolean transA, boolean transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        BackendChecks.gemm(transA, transB, own(a, "a"), own(b, "b"), own(c, "c"));
        doGemm(transA, transB, alpha, a, b, beta, c);
    }

    /**
     * {@code a = f(z)} element by element, {@code B x O}, or over each row for
     * {@link Activation#SOFTMAX}; {@code a} may be {@code z}.
     */
    public final void activationForward(Activation f, Matrix z, Matrix a) {
        Objects.requireNonNull(f, "activation");
        BackendChecks.sameShape("activationForward", own(z, "z"), own(a, "a"));
        doActivationForward(f, z, a);
    }

    /**
     * {@code delta = g * f'(a)} element by element, where {@code a = f(z)} is the forward output
     * and {@code g = dL/da}; so {@code delta = dL/dz}. {@code delta} may be {@code g}.
     */
    public final void activationBackward(Activation f, Matrix a, Matrix g, Matrix delta) {
        Objects.requireNonNull(f, "activation");
        BackendChecks.sameShape("activationBackward", own(a, "a"), own(g, "g"));
        BackendChecks.sameShape("activationBackward", a, own(delta, "delta"));
        if (!f.elementwise()) {
            throw new IllegalArgumentException("activationBackward: " + f.id()
                    + " has no backward pass of its own; its gradient is taken with its loss (logitLoss)");
        }
        doActivationBackward(f, a, g, delta);
    }

    /**
     * The mean-squared-error loss and its gradient, for {@code B x O} outputs and targets:
     * {@code loss[0] = (sum over rows and columns of 1/2 (t - o)^2) / count + beta * loss[0]}, and
     * {@code delta = (o - t) / count = dLoss/do}. With {@code count = B} this is the mean over the
     * batch's samples of {@code sum_k 1/2 (t_k - o_k)^2}; a batch split into micro-batches passes
     * the whole batch's size as {@code count} and {@code beta = 1} after the first, so the loss
     * adds up on the device. With {@code beta = 0} the old loss is not read. {@code loss} is
     * {@code 1 x 1}; {@code delta} may be {@code output}.
     */
    public final void mseLoss(Matrix output, Matrix target, int count, Matrix delta, double beta, Matrix loss) {
        BackendChecks.sameShape("mseLoss", own(output, "output"), own(target, "target"));
        BackendChecks.sameShape("mseLoss", output, own(delta, "delta"));
        BackendChecks.scalar("mseLoss", own(loss, "loss"));
        if (count < 1) {
            throw new IllegalArgumentException("mseLoss: count must be at least 1, not " + count);
        }
        BackendChecks.finite("mseLoss", "beta", beta);
        doMseLoss(output, target, count, delta, beta, loss);
    }

    /**
     * A classification loss fused with its output activation ({@link LogitLoss}), from the
     * {@code B x O} logits {@code z} and targets {@code t} of a micro-batch of a batch of
     * {@code count} samples:
     * <pre>
     *   loss[0] = (sum over the rows of the per-sample loss) / count + beta * loss[0]
     *   loss[1] = (the rows classified right) + beta * loss[1]
     *   delta   = dLoss/dz = (per-sample gradient) / count
     * </pre>
     * as {@link #mseLoss} adds up micro-batches; with {@code beta = 0} the old {@code loss} is not
     * read. {@code loss} is {@code 1 x 2}; {@code delta} must not share storage with {@code z}.
     * Sums are taken in double, in an order fixed by the shape alone.
     */
    public final void logitLoss(
            LogitLoss kind, Matrix z, Matrix target, int count, Matrix delta, double beta, Matrix loss) {
        Objects.requireNonNull(kind, "kind");
        BackendChecks.sameShape("logitLoss", own(z, "z"), own(target, "target"));
        BackendChecks.sameShape("logitLoss", z, own(delta, "delta"));
        if (delta == z) {
            throw new IllegalArgumentException("logitLoss: delta must not be z");
        }
        if (own(loss, "loss").rows() != 1 || loss.cols() != 2) {
            throw new IllegalArgumentException(
                    "logitLoss: loss must be 1x2 (the loss, the rows right), not " + loss.shape());
        }
        if (count < 1) {
            throw new IllegalArgumentException("logitLoss: count must be at least 1, not " + count);
        }
        BackendChecks.finite("logitLoss", "beta", beta);
        doLogitLoss(kind, z, target, count, delta, beta, loss);
    }

    /** {@code z[r][j] += bias[j]} for every row: {@code bias} is {@code 1 x O}, {@code z} is {@code B x O}. */
    public final void addBias(Matrix bias, Matrix z) {
        BackendChecks.rowVector("addBias", own(bias, "bias"), own(z, "z"));
        doAddBias(bias, z);
    }

    /**
     * {@code grad[j] = sum over rows r of delta[r][j] + beta * grad[j]}: {@code delta} is
     * {@code B x O}, {@code grad} {@code 1 x O}. {@code beta = 1} accumulates over micro-batches;
     * with {@code beta = 0} the old {@code grad} is not read.
     */
    public final void biasGradient(Matrix delta, double beta, Matrix grad) {
        BackendChecks.rowVector("biasGradient", own(grad, "grad"), own(delta, "delta"));
        BackendChecks.finite("biasGradient", "beta", beta);
        doBiasGradient(delta, beta, grad);
    }

    /**
     * One update of one parameter tensor by {@code rule} ({@link Optimizer} states the math),
     * element by element: {@code param} and {@code grad} have one shape, and so do the states the
     * rule keeps ({@code first}: SGD's velocity or Adam's {@code m}; {@code second}: Adam's
     * {@code v}), which are updated in place; a state the rule does not keep is null. The step's
     * learning rate and bias corrections are read from {@code scalars} ({@code 1 x 3},
     * {@link Optimizer#stepScalars}) when the update runs, so a recorded step replays with the
     * values uploaded there since. {@code grad} is not changed.
     */
    public final void optimizerUpdate(
            Optimizer rule, Matrix scalars, Matrix grad, Matrix param, Matrix first, Matrix second) {
        Objects.requireNonNull(rule, "rule");
        BackendChecks.sameShape("optimizerUpdate", own(grad, "grad"), own(param, "param"));
        if (own(scalars, "scalars").rows() != 1 || scalars.cols() != Optimizer.STEP_SCALARS) {
            throw new IllegalArgumentException(
                    "optimizerUpdate: scalars must be 1x" + Optimizer.STEP_SCALARS + ", not " + scalars.shape());
        }
        // One call per state: an array of them would be an allocation in every training step.
        optimizerState(rule, 0, "first", param, first);
        optimizerState(rule, 1, "second", param, second);
        doOptimizerUpdate(rule, scalars, grad, param, first, second);
    }

    /** State {@code k} of {@link #optimizerUpdate}: of {@code param}'s shape where the rule keeps it, else null. */
    private void optimizerState(Optimizer rule, int k, String role, Matrix param, Matrix state) {
        if (k < rule.states()) {
            BackendChecks.sameShape("optimizerUpdate", param, own(state, role));
        } else if (state != null) {
            throw new IllegalArgumentException("optimizerUpdate: " + rule.describe() + " keeps " + rule.states()
                    + " states, but " + role + " is given");
        }
    }

    /**
     * Whether {@link #networkGradients} takes a network of these widths (inputs, then each layer's
     * outputs). Only small networks are fused, where one pass per sample beats a sequence of
     * batch-wide operations; by default a backend fuses none.
     */
    public boolean fusesNetwork(int[] widths) {
        return false;
    }

    /**
     * The loss and every parameter gradient of a whole network on one batch, in one pass over its
     * samples: what the forward pass, {@link #mseLoss}, {@link #activationBackward}, the
     * weight-gradient {@link #gemm} and {@link #biasGradient} compute together, for the {@code B}
     * rows of {@code x} ({@code B x I}) and {@code t} ({@code B x O}):
     * <pre>
     *   loss[0]      = (sum over samples and outputs of 1/2 (t - o)^2) / count + beta * loss[0]
     *   weightGrad_l = dLoss/dW_l + beta * weightGrad_l,   biasGrad_l = dLoss/db_l + beta * biasGrad_l
     * </pre>
     * where {@code Loss} is that sum divided by {@code count}. With {@code beta = 0} the old loss
     * and gradients are not read. Only {@code loss} and the gradients change.
     *
     * @throws IllegalArgumentException when the shapes do not chain, or {@link #fusesNetwork} says no
     */
    public final void networkGradients(
            List<LayerParameters> layers, Matrix x, Matrix t, int count, double beta, Matrix loss) {
        BackendChecks.network(this, layers, x, t, count, beta, loss);
        if (!fusedWidths.matches(x, layers)) { // asked once per network, so a step allocates nothing
            int[] widths = FusedWidths.of(x, layers);
            if (!fusesNetwork(widths)) {
                throw new IllegalArgumentException("networkGradients: the " + name()
                        + " backend does not fuse a network of widths " + Arrays.toString(widths));
            }
            fusedWidths.remember(widths);
        }
        doNetworkGradients(layers, x, t, count, beta, loss);
    }

    /**
     * Records the operations {@code body} queues, so that {@link Recording#replay()} queues them
     * again, each time on the contents their matrices hold then. Recording runs nothing. The body
     * may only queue operations ({@link #gemm}, the elementwise and reduction operations); it must
     * not allocate, upload, download or synchronize, and it should have run once before, so that
     * scratch memory is sized. A GPU replays the whole body as one graph launch, instead of one
     * launch per operation; by default a replay simply runs {@code body} again.
     */
    public Recording record(Runnable body) {
        ensureOpen();
        Objects.requireNonNull(body, "body");
        return new Recording() {
            @Override
            public void replay() {
                ensureOpen();
                body.run();
            }

            @Override
            public void close() {}
        };
    }

    /**
     * Bytes this backend could still allocate for matrices: free device memory for a GPU; for
     * host memory, what the Java heap has left to grow into. What automatic micro-batch sizes
     * are computed from.
     */
    public long memoryAvailable() {
        return JavaHeap.free();
    }

    /**
     * Whether this backend's matrices are Java arrays on the heap, sharing it with the data and
     * the host's copy of the network (the CPU backend), rather than in memory of a device of its
     * own (a GPU, which then overrides {@link #memoryAvailable()} too).
     */
    public boolean usesJavaHeap() {
        return true;
    }

    /** Waits until every queued operation has finished. */
    public void synchronize() {
        ensureOpen();
    }

    /** Frees everything this backend holds. Closing twice is harmless. */
    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            doClose();
        }
    }

    /** Whether {@link #close()} was called; a closed backend refuses every operation. */
    public final boolean isClosed() {
        return closed;
    }

    /** {@link #allocate}, on an open backend, with both sizes positive and at most {@code Integer.MAX_VALUE} elements. */
    protected abstract Matrix doAllocate(int rows, int cols);

    /** {@link #upload(double[], int, Matrix)}, with {@code dst} this backend's and the range inside {@code src}. */
    protected abstract void doUpload(double[] src, int offset, Matrix dst);

    /** {@link #upload(float[], int, Matrix)}, with {@code dst} this backend's and the range inside {@code src}. */
    protected abstract void doUpload(float[] src, int offset, Matrix dst);

    /**
     * {@link #download(Matrix, double[], int)}, with {@code src} this backend's and the range inside
     * {@code dst}; it returns once the values are in {@code dst}, after everything queued before.
     */
    protected abstract void doDownload(Matrix src, double[] dst, int offset);

    /** {@link #download(Matrix, float[], int)}, checked as the {@code double[]} form is. */
    protected abstract void doDownload(Matrix src, float[] dst, int offset);

    /** {@link #gemm}, with every matrix this backend's and the shapes agreeing. */
    protected abstract void doGemm(
            boolean transA, boolean transB, double alpha, Matrix a, Matrix b, double beta, Matrix c);

    /** {@link #activationForward}, with {@code z} and {@code a} this backend's and of one shape. */
    protected abstract void doActivationForward(Activation f, Matrix z, Matrix a);

    /** {@link #activationBackward}, with the three matrices this backend's and of one shape. */
    protected abstract void doActivationBackward(Activation f, Matrix a, Matrix g, Matrix delta);

    /** {@link #mseLoss}, with the shapes and {@code count} checked. */
    protected abstract void doMseLoss(Matrix output, Matrix target, int count, Matrix delta, double beta, Matrix loss);

    /** {@link #addBias}, with {@code bias} {@code 1 x cols} of {@code z}. */
    protected abstract void doAddBias(Matrix bias, Matrix z);

    /** {@link #biasGradient}, with {@code grad} {@code 1 x cols} of {@code delta}. */
    protected abstract void doBiasGradient(Matrix delta, double beta, Matrix grad);

    /** {@link #optimizerUpdate}, with the state matrices the rule needs present and every shape checked. */
    protected abstract void doOptimizerUpdate(
            Optimizer rule, Matrix scalars, Matrix grad, Matrix param, Matrix first, Matrix second);

    /** {@link #logitLoss}, with the shapes and {@code count} checked. */
    protected abstract void doLogitLoss(
            LogitLoss kind, Matrix z, Matrix target, int count, Matrix delta, double beta, Matrix loss);

    /** {@link #networkGradients}, checked; only called where {@link #fusesNetwork} said yes. */
    protected void doNetworkGradients(
            List<LayerParameters> layers, Matrix x, Matrix t, int count, double beta, Matrix loss) {
        throw new UnsupportedOperationException(name() + " fuses no network");
    }

    /** Frees everything the backend holds; called once, by the first {@link #close()}. */
    protected abstract void doClose();

    /**
     * Throws {@link IllegalStateException} once the backend is closed; every public operation checks
     * it before calling its {@code do} method, and a backend's own methods may call it too.
     */
    protected final void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(name() + " backend is closed");
        }
    }

    private Matrix own(Matrix m, String role) {
        ensureOpen();
        return BackendChecks.owned(this, m, role);
    }
}

package dev.nabla.train;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Matrix;
import dev.nabla.model.Layer;
import dev.nabla.model.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a network on one backend: forward, loss, backward and the SGD update, as a sequence of
 * backend operations. The trainer only composes; the backend computes.
 *
 * <p>Weights and every intermediate live on the backend for the trainer's whole life, sized for
 * batches of up to {@link #capacity()} samples; a shorter batch uses the first rows of the same
 * storage. Per layer it keeps {@code W}, {@code b}, their gradients, the activations ({@code z},
 * then {@code a = f(z)} in place) and the gradients ({@code dL/da}, then {@code dL/dz} in place).
 *
 * <p>One step, for layers {@code 1..L}, batch {@code x} of {@code B} rows and targets {@code t}:
 * <pre>
 *   a_0 = x;  z_l = a_{l-1} W_l^T + b_l;  a_l = f_l(z_l)
 *   L = mean over samples of sum_k 1/2 (t_k - a_L,k)^2;   g_L = dL/da_L = (a_L - t) / B
 *   delta_l = g_l * f_l'(a_l);  dW_l = delta_l^T a_{l-1};  db_l = column sums of delta_l
 *   g_{l-1} = delta_l W_l            (with W_l from before the update, as the document does)
 *   W_l -= lr dW_l;  b_l -= lr db_l   (after every gradient is computed)
 * </pre>
 * Host arrays passed in are row-major, {@code I} (or {@code O}) values per sample.
 */
public final class Trainer implements AutoCloseable {
    private final Backend backend;
    private final Network initial;
    private final int capacity;
    private final List<Matrix> owned = new ArrayList<>();
    private final Matrix input;
    private final Matrix target;
    private final Matrix loss;
    private final LayerState[] layers;
    private final double[] lossHost = new double[1];

    /** The backend-side state of one layer. */
    private static final class LayerState {
        final Layer spec;
        Matrix weights;
        Matrix bias;
        Matrix weightGrad;
        Matrix biasGrad;
        /** {@code z}, overwritten in place by {@code a = f(z)}: {@code capacity x O}. */
        Matrix act;
        /** {@code dL/da}, overwritten in place by {@code dL/dz}: {@code capacity x O}. */
        Matrix grad;

        LayerState(Layer spec) {
            this.spec = spec;
        }
    }

    /**
     * Puts {@code network} on {@code backend}, ready for batches of up to {@code capacity}
     * samples. The trainer does not own the backend.
     */
    public Trainer(Backend backend, Network network, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.backend = backend;
        this.initial = network;
        this.capacity = capacity;
        this.layers = new LayerState[network.depth()];
        try {
            input = alloc(capacity, network.inputs());
            target = alloc(capacity, network.outputs());
            loss = alloc(1, 1);
            for (int l = 0; l < layers.length; l++) {
                Layer spec = network.layer(l);
                LayerState s = new LayerState(spec);
                s.weights = alloc(spec.outputs(), spec.inputs());
                s.weightGrad = alloc(spec.outputs(), spec.inputs());
                backend.upload(spec.weights(), 0, s.weights);
                if (spec.hasBias()) {
                    s.bias = alloc(1, spec.outputs());
                    s.biasGrad = alloc(1, spec.outputs());
                    backend.upload(spec.bias(), 0, s.bias);
                }
                s.act = alloc(capacity, spec.outputs());
                s.grad = alloc(capacity, spec.outputs());
                layers[l] = s;
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private Matrix alloc(int rows, int cols) {
        Matrix m = backend.allocate(rows, cols);
        owned.add(m);
        return m;
    }

    public Backend backend() {
        return backend;
    }

    /** The largest batch a step takes. */
    public int capacity() {
        return capacity;
    }

    /**
     * One SGD step on samples {@code first .. first + rows - 1} of {@code x} and {@code t}.
     *
     * @return the batch's loss before the update (the mean over its samples)
     */
    public double step(double[] x, double[] t, int first, int rows, double lr) {
        return run(x, t, first, rows, lr, null);
    }

    /** {@link #step}, returning every intermediate value and the updated network. */
    public StepTrace traceStep(double[] x, double[] t, int first, int rows, double lr) {
        List<LayerTrace> traces = new ArrayList<>();
        Recorder rec = new Recorder();
        double l = run(x, t, first, rows, lr, rec);
        for (int k = 0; k < layers.length; k++) {
            Layer spec = layers[k].spec;
            traces.add(new LayerTrace(rows, spec.inputs(), spec.outputs(), rec.z[k], rec.a[k], rec.g[k],
                    rec.delta[k], rec.dw[k], rec.db[k]));
        }
        return new StepTrace(l, traces, network());
    }

    /** The loss of the current network on samples {@code first .. first + rows - 1}, without training. */
    public double loss(double[] x, double[] t, int first, int rows) {
        checkRows(rows);
        forward(x, first, rows, null);
        Matrix out = rowsOf(layers[layers.length - 1].act, rows);
        Matrix tv = rowsOf(target, rows);
        backend.upload(t, first * initial.outputs(), tv);
        backend.mseLoss(out, tv, rows, rowsOf(layers[layers.length - 1].grad, rows), loss);
        backend.download(loss, lossHost, 0);
        return lossHost[0];
    }

    /** The network's outputs for samples {@code first .. first + rows - 1}: {@code rows x O}, row-major. */
    public double[] predict(double[] x, int first, int rows) {
        checkRows(rows);
        forward(x, first, rows, null);
        double[] out = new double[rows * initial.outputs()];
        backend.download(rowsOf(layers[layers.length - 1].act, rows), out, 0);
        return out;
    }

    /** The network as it is now on the backend. */
    public Network network() {
        List<Layer> out = new ArrayList<>();
        for (LayerState s : layers) {
            double[] w = backend.download(s.weights);
            double[] b = s.bias == null ? null : backend.download(s.bias);
            out.add(s.spec.withParameters(w, b));
        }
        return new Network(initial.loss(), out);
    }

    private double run(double[] x, double[] t, int first, int rows, double lr, Recorder rec) {
        checkRows(rows);
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive finite number, not " + lr);
        }
        forward(x, first, rows, rec);
        int last = layers.length - 1;
        Matrix tv = rowsOf(target, rows);
        backend.upload(t, first * initial.outputs(), tv);
        backend.mseLoss(rowsOf(layers[last].act, rows), tv, rows, rowsOf(layers[last].grad, rows), loss);
        backward(rows, rec);
        for (LayerState s : layers) {
            backend.sgdUpdate(lr, s.weightGrad, s.weights);
            if (s.bias != null) {
                backend.sgdUpdate(lr, s.biasGrad, s.bias);
            }
        }
        backend.download(loss, lossHost, 0);
        return lossHost[0];
    }

    private void forward(double[] x, int first, int rows, Recorder rec) {
        Matrix in = rowsOf(input, rows);
        backend.upload(x, first * initial.inputs(), in);
        for (int l = 0; l < layers.length; l++) {
            LayerState s = layers[l];
            Matrix act = rowsOf(s.act, rows);
            backend.gemm(false, true, 1.0, in, s.weights, 0.0, act);
            if (s.bias != null) {
                backend.addBias(s.bias, act);
            }
            if (rec != null) {
                rec.z[l] = backend.download(act);
            }
            backend.activationForward(s.spec.activation(), act, act);
            if (rec != null) {
                rec.a[l] = backend.download(act);
            }
            in = act;
        }
    }

    private void backward(int rows, Recorder rec) {
        for (int l = layers.length - 1; l >= 0; l--) {
            LayerState s = layers[l];
            Matrix act = rowsOf(s.act, rows);
            Matrix grad = rowsOf(s.grad, rows);
            Matrix in = l == 0 ? rowsOf(input, rows) : rowsOf(layers[l - 1].act, rows);
            if (rec != null) {
                rec.g[l] = backend.download(grad);
            }
            backend.activationBackward(s.spec.activation(), act, grad, grad);
            backend.gemm(true, false, 1.0, grad, in, 0.0, s.weightGrad);
            if (s.bias != null) {
                backend.biasGradient(grad, 0.0, s.biasGrad);
            }
            if (l > 0) {
                backend.gemm(false, false, 1.0, grad, s.weights, 0.0, rowsOf(layers[l - 1].grad, rows));
            }
            if (rec != null) {
                rec.delta[l] = backend.download(grad);
                rec.dw[l] = backend.download(s.weightGrad);
                rec.db[l] = s.biasGrad == null ? null : backend.download(s.biasGrad);
            }
        }
    }

    private void checkRows(int rows) {
        if (rows < 1 || rows > capacity) {
            throw new IllegalArgumentException("a batch of " + rows + " samples; this trainer takes 1 to " + capacity);
        }
    }

    private static Matrix rowsOf(Matrix m, int rows) {
        return rows == m.rows() ? m : m.topRows(rows);
    }

    /** Copies of the intermediates of one traced step, per layer. */
    private final class Recorder {
        final double[][] z = new double[layers.length][];
        final double[][] a = new double[layers.length][];
        final double[][] g = new double[layers.length][];
        final double[][] delta = new double[layers.length][];
        final double[][] dw = new double[layers.length][];
        final double[][] db = new double[layers.length][];
    }

    /** Frees everything the trainer allocated on the backend, last allocated first. */
    @Override
    public void close() {
        if (backend.isClosed()) {
            owned.clear();
            return;
        }
        for (int k = owned.size() - 1; k >= 0; k--) {
            owned.get(k).close();
        }
        owned.clear();
    }
}

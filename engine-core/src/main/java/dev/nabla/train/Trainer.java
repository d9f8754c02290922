package dev.nabla.train;

import dev.nabla.InputException;
import dev.nabla.backend.Backend;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.Matrix;
import dev.nabla.data.Samples;
import dev.nabla.model.Layer;
import dev.nabla.model.Network;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a network on one backend: forward, loss, backward and the SGD update, as a sequence of
 * backend operations. The trainer only composes; the backend computes.
 *
 * <p>Weights and every intermediate live on the backend for the trainer's whole life, sized for
 * micro-batches of up to {@link #capacity()} samples; a shorter one uses the first rows of the
 * same storage. A batch larger than the capacity is split into micro-batches whose gradients
 * (and losses) add up on the backend before the one update, so the step equals the step on the
 * whole batch, up to the order of the sums. While one micro-batch computes, the next is already
 * uploaded into a second set of input buffers.
 *
 * <p>A step whose batch fits in one micro-batch is the same sequence of operations every time, so
 * after running it once the trainer records it ({@link Backend#record}) and replays it (one graph
 * launch on a GPU); so it does for batches kept on the backend ({@link #keep}). Where the backend
 * fuses the network ({@link Backend#fusesNetwork}), forward, loss and backward are one operation.
 *
 * <p>One step, for layers {@code 1..L}, batch {@code x} of {@code B} rows and targets {@code t}:
 * <pre>
 *   a_0 = x;  z_l = a_{l-1} W_l^T + b_l;  a_l = f_l(z_l)
 *   L = mean over samples of sum_k 1/2 (t_k - a_L,k)^2;   g_L = dL/da_L = (a_L - t) / B
 *   delta_l = g_l * f_l'(a_l);  dW_l = delta_l^T a_{l-1};  db_l = column sums of delta_l
 *   g_{l-1} = delta_l W_l            (with W_l from before the update, as the document does)
 *   W_l -= lr dW_l;  b_l -= lr db_l   (after every gradient is computed)
 * </pre>
 * Per layer the trainer keeps {@code W}, {@code b}, their gradients, the activations ({@code z},
 * then {@code a = f(z)} in place) and the gradients ({@code dL/da}, then {@code dL/dz} in place);
 * a fused network allocates the last two only once a pass needs them (evaluation, a traced step).
 */
public final class Trainer implements AutoCloseable {
    private final Backend backend;
    private final Network initial;
    private final int capacity;
    private final List<Matrix> owned = new ArrayList<>();
    private final List<ResidentBatch> residents = new ArrayList<>();
    /** Recorded steps on uploaded batches of one micro-batch, by batch size. */
    private final Map<Integer, RecordedStep> streamed = new LinkedHashMap<>();
    /** Input and target buffers: set 0, and set 1 for the micro-batch after (allocated when first needed). */
    private final Matrix[] input = new Matrix[2];
    private final Matrix[] target = new Matrix[2];
    private final Matrix loss;
    private final LayerState[] layers;
    /** The layers as {@link Backend#networkGradients} takes them, where the backend fuses this network; else null. */
    private final List<LayerParameters> fused;
    private final double[] lossHost = new double[1];
    private double[] inputStage;
    private double[] targetStage;

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
     * Puts {@code network} on {@code backend}, ready for micro-batches of up to {@code capacity}
     * samples (batches of any size are split into those). The trainer does not own the backend.
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
            input[0] = alloc(capacity, network.inputs());
            target[0] = alloc(capacity, network.outputs());
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
                layers[l] = s;
            }
            this.fused = backend.fusesNetwork(network.widths()) ? parameters() : null;
            if (fused == null) {
                allocateLayerBuffers();
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * The per-layer activations and gradients, which the layer-by-layer pass needs. A fused
     * network's training steps don't, so there they are allocated at its first evaluation or
     * traced step (and {@link #capacityFor} still counts them, so that allocation fits).
     */
    private void allocateLayerBuffers() {
        if (layers[0].act != null) {
            return;
        }
        for (LayerState s : layers) {
            s.act = alloc(capacity, s.spec.outputs());
            s.grad = alloc(capacity, s.spec.outputs());
        }
    }

    private List<LayerParameters> parameters() {
        List<LayerParameters> out = new ArrayList<>();
        for (LayerState s : layers) {
            out.add(new LayerParameters(s.spec.activation(), s.weights, s.bias, s.weightGrad, s.biasGrad));
        }
        return List.copyOf(out);
    }

    private Matrix alloc(int rows, int cols) {
        Matrix m = backend.allocate(rows, cols);
        owned.add(m);
        return m;
    }

    /** Bytes a trainer of {@code network} holds on its backend with the given capacity. */
    public static long bytesFor(Network network, long capacity, int elementBytes) {
        long perRow = 2L * (network.inputs() + network.outputs()); // two sets of input and target buffers
        long fixed = 1; // the loss
        for (Layer l : network.layers()) {
            perRow += 2L * l.outputs(); // activations, and gradients
            fixed += 2 * l.parameterCount(); // parameters, and their gradients
        }
        return (perRow * capacity + fixed) * elementBytes;
    }

    /** Of the memory a backend has free, the share a trainer sizes its micro-batches to; the rest is headroom. */
    private static final double MEMORY_SHARE = 0.7;

    /**
     * The largest micro-batch, up to {@code batch}, whose trainer fits in what {@code backend}
     * has free (with headroom). On the CPU the batch's staging copy on the heap is counted too.
     *
     * @throws InputException when not even one sample fits
     */
    public static int capacityFor(Backend backend, Network network, int batch) {
        int bytes = backend.precision().bytes();
        long perRow = bytesFor(network, 1, bytes) - bytesFor(network, 0, bytes)
                + (long) Double.BYTES * (network.inputs() + network.outputs());
        long fixed = bytesFor(network, 0, bytes);
        long usable = (long) (backend.memoryAvailable() * MEMORY_SHARE) - fixed;
        if (usable < perRow) {
            throw new InputException("the network needs " + fixed + " bytes for its parameters and " + perRow
                    + " per sample, but " + backend.name() + " has " + backend.memoryAvailable() + " bytes free");
        }
        return (int) Math.min(batch, usable / perRow);
    }

    public Backend backend() {
        return backend;
    }

    /** The largest micro-batch; larger batches are split. */
    public int capacity() {
        return capacity;
    }

    /**
     * One SGD step on samples {@code first .. first + rows - 1} of {@code x} and {@code t}
     * (row-major, {@code I} and {@code O} values per sample).
     *
     * @return the batch's loss before the update (the mean over its samples)
     */
    public double step(double[] x, double[] t, int first, int rows, double lr) {
        return step(arrays(x, t), null, first, rows, lr);
    }

    /**
     * One SGD step on the batch of samples {@code order[from .. from + rows - 1]} of {@code data}
     * (or samples {@code from .. from + rows - 1} when {@code order} is null), in micro-batches of
     * at most {@link #capacity()}.
     *
     * @return the batch's loss before the update (the mean over its samples)
     */
    public double step(Samples data, int[] order, int from, int rows, double lr) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive finite number, not " + lr);
        }
        checkBatch(data, order, from, rows);
        if (rows > capacity) {
            runBatch(data, order, from, rows, true, null);
            return update(lr);
        }
        // One micro-batch: the same operations on the same buffers every step of this size, so the
        // step is recorded and replayed (one graph launch on a GPU) after the upload.
        upload(data, order, from, rows, 0);
        Matrix in = rowsOf(input[0], rows);
        Matrix tgt = rowsOf(target[0], rows);
        streamedStep(rows).run(lr, () -> {
            compute(in, tgt, rows, 0.0, true, null);
            applyUpdate(lr);
        });
        return lastLoss();
    }

    /** The recorded step for batches of {@code rows} uploaded into the first buffers; the two latest sizes are kept. */
    private RecordedStep streamedStep(int rows) {
        RecordedStep s = streamed.get(rows);
        if (s == null) {
            if (streamed.size() == 2) { // an epoch has one batch size and at most one shorter last batch
                Integer oldest = streamed.keySet().iterator().next();
                streamed.remove(oldest).close();
            }
            s = new RecordedStep(backend);
            streamed.put(rows, s);
        }
        return s;
    }

    /** The SGD update of every parameter; returns the loss of the batch just computed (one number copied back). */
    private double update(double lr) {
        applyUpdate(lr);
        return lastLoss();
    }

    private void applyUpdate(double lr) {
        for (LayerState s : layers) {
            backend.sgdUpdate(lr, s.weightGrad, s.weights);
            if (s.bias != null) {
                backend.sgdUpdate(lr, s.biasGrad, s.bias);
            }
        }
    }

    /** The loss of the latest step, or of the latest {@link #loss} evaluation: one number copied back. */
    public double lastLoss() {
        backend.download(loss, lossHost, 0);
        return lossHost[0];
    }

    /**
     * Keeps samples {@code first .. first + rows - 1} of {@code data} on the backend, for steps
     * that upload nothing ({@link #queueStep}): for data that fits in the backend's memory, as a
     * benchmark's fixed batch or a small data set does. At most {@link #capacity()} rows.
     */
    public ResidentBatch keep(Samples data, int first, int rows) {
        checkBatch(data, null, first, rows);
        if (rows > capacity) {
            throw new IllegalArgumentException("a resident batch holds at most the trainer's " + capacity
                    + " samples, not " + rows);
        }
        Matrix x = backend.allocate(rows, initial.inputs());
        Matrix t;
        try {
            t = backend.allocate(rows, initial.outputs());
        } catch (RuntimeException | Error e) {
            x.close();
            throw e;
        }
        ResidentBatch b = new ResidentBatch(x, t);
        residents.add(b);
        try {
            double[] xs = new double[rows * initial.inputs()];
            double[] ts = new double[rows * initial.outputs()];
            data.copyInputs(first, rows, xs, 0);
            data.copyTargets(first, rows, ts, 0);
            backend.upload(xs, 0, b.inputs);
            backend.upload(ts, 0, b.targets);
        } catch (RuntimeException | Error e) {
            b.close();
            throw e;
        }
        return b;
    }

    /**
     * Queues one SGD step on a resident batch and returns without waiting for it or copying
     * anything back ({@link #lastLoss()} reads its loss). The first step on a batch runs operation
     * by operation; the next records them ({@link Backend#record}), and later steps with the same
     * learning rate replay the recording: on a GPU, one graph launch a step.
     */
    public void queueStep(ResidentBatch b, double lr) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive finite number, not " + lr);
        }
        if (!residents.contains(b)) {
            throw new IllegalArgumentException("the resident batch is closed or belongs to another trainer");
        }
        b.step.run(lr, () -> {
            compute(b.inputs, b.targets, b.inputs.rows(), 0.0, true, null);
            applyUpdate(lr);
        });
    }

    /** {@link #queueStep}, then its loss (which waits for the step). */
    public double step(ResidentBatch b, double lr) {
        queueStep(b, lr);
        return lastLoss();
    }

    /** A batch kept on the trainer's backend by {@link #keep}; closing it frees its matrices. */
    public final class ResidentBatch implements AutoCloseable {
        private final Matrix inputs;
        private final Matrix targets;
        private final RecordedStep step = new RecordedStep(backend);

        private ResidentBatch(Matrix inputs, Matrix targets) {
            this.inputs = inputs;
            this.targets = targets;
        }

        public int rows() {
            return inputs.rows();
        }

        @Override
        public void close() {
            if (!residents.remove(this) || backend.isClosed()) {
                return;
            }
            step.close();
            targets.close();
            inputs.close();
        }
    }

    /** {@link #step}, returning every intermediate value and the updated network; the batch must fit the capacity. */
    public StepTrace traceStep(double[] x, double[] t, int first, int rows, double lr) {
        if (rows > capacity) {
            throw new IllegalArgumentException("a traced step takes at most " + capacity + " samples, not " + rows);
        }
        Recorder rec = new Recorder();
        Samples data = arrays(x, t);
        checkBatch(data, null, first, rows);
        runBatch(data, null, first, rows, true, rec);
        double before = update(lr);
        List<LayerTrace> traces = new ArrayList<>();
        for (int k = 0; k < layers.length; k++) {
            Layer spec = layers[k].spec;
            traces.add(new LayerTrace(rows, spec.inputs(), spec.outputs(), rec.z[k], rec.a[k], rec.g[k],
                    rec.delta[k], rec.dw[k], rec.db[k]));
        }
        return new StepTrace(before, traces, network());
    }

    /** The loss of the current network on samples {@code first .. first + rows - 1}, without training. */
    public double loss(double[] x, double[] t, int first, int rows) {
        return loss(arrays(x, t), first, rows);
    }

    /** The mean loss of the current network on samples {@code first .. first + rows - 1} of {@code data}. */
    public double loss(Samples data, int first, int rows) {
        checkBatch(data, null, first, rows);
        runBatch(data, null, first, rows, false, null);
        return lastLoss();
    }

    /** The network's outputs for samples {@code first .. first + rows - 1}: {@code rows x O}, row-major. */
    public double[] predict(double[] x, int first, int rows) {
        int in = initial.inputs();
        if (first < 0 || rows < 1 || (long) (first + rows) * in > x.length) {
            throw new IllegalArgumentException("samples " + first + " .. " + (first + rows - 1) + " of "
                    + x.length / in);
        }
        int out = initial.outputs();
        double[] result = new double[Math.multiplyExact(rows, out)];
        for (int done = 0; done < rows; done += capacity) {
            int r = Math.min(capacity, rows - done);
            Matrix in0 = rowsOf(input[0], r);
            backend.upload(x, (first + done) * in, in0);
            forward(in0, r, null);
            backend.download(rowsOf(layers[layers.length - 1].act, r), result, done * out);
        }
        return result;
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

    /**
     * Forward and loss (and, when {@code train}, backward with gradients added up) over the batch,
     * one micro-batch at a time; the next micro-batch is uploaded before the current one computes.
     */
    private void runBatch(Samples data, int[] order, int from, int rows, boolean train, Recorder rec) {
        int micro = (rows + capacity - 1) / capacity;
        if (micro > 1 && input[1] == null) {
            input[1] = alloc(capacity, initial.inputs());
            target[1] = alloc(capacity, initial.outputs());
        }
        upload(data, order, from, Math.min(capacity, rows), 0);
        for (int mb = 0; mb < micro; mb++) {
            int start = mb * capacity;
            int r = Math.min(capacity, rows - start);
            if (mb + 1 < micro) {
                int next = start + capacity;
                upload(data, order, from + next, Math.min(capacity, rows - next), (mb + 1) % 2);
            }
            compute(rowsOf(input[mb % 2], r), rowsOf(target[mb % 2], r), rows, mb == 0 ? 0.0 : 1.0, train, rec);
        }
    }

    /**
     * Forward and loss over one micro-batch {@code in}, {@code tgt} of a batch of {@code count}
     * samples (and, when {@code train}, backward, its gradients added to the earlier micro-batches'
     * with {@code beta = 1}): one fused pass where the backend offers it.
     */
    private void compute(Matrix in, Matrix tgt, int count, double beta, boolean train, Recorder rec) {
        int r = in.rows();
        if (train && rec == null && fused != null) {
            backend.networkGradients(fused, in, tgt, count, beta, loss);
            return;
        }
        int last = layers.length - 1;
        forward(in, r, rec);
        backend.mseLoss(rowsOf(layers[last].act, r), tgt, count, rowsOf(layers[last].grad, r), beta, loss);
        if (train) {
            backward(in, r, beta, rec);
        }
    }

    /** Stages samples {@code order[from ..]} (or {@code from ..}) on the host and uploads them into buffer set {@code set}. */
    private void upload(Samples data, int[] order, int from, int rows, int set) {
        int in = initial.inputs();
        int out = initial.outputs();
        Matrix xm = rowsOf(input[set], rows);
        Matrix tm = rowsOf(target[set], rows);
        if (order == null && data.inputArray() != null) {
            backend.upload(data.inputArray(), from * in, xm);
            backend.upload(data.targetArray(), from * out, tm);
            return;
        }
        if (inputStage == null) {
            inputStage = new double[capacity * in];
            targetStage = new double[capacity * out];
        }
        if (order == null) {
            data.copyInputs(from, rows, inputStage, 0);
            data.copyTargets(from, rows, targetStage, 0);
        } else {
            for (int r = 0; r < rows; r++) {
                data.copyInputs(order[from + r], 1, inputStage, r * in);
                data.copyTargets(order[from + r], 1, targetStage, r * out);
            }
        }
        backend.upload(inputStage, 0, xm);
        backend.upload(targetStage, 0, tm);
    }

    private void forward(Matrix in, int rows, Recorder rec) {
        allocateLayerBuffers();
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

    /** Backward over one micro-batch; {@code beta = 1} adds its gradients to those of the micro-batches before. */
    private void backward(Matrix input0, int rows, double beta, Recorder rec) {
        for (int l = layers.length - 1; l >= 0; l--) {
            LayerState s = layers[l];
            Matrix act = rowsOf(s.act, rows);
            Matrix grad = rowsOf(s.grad, rows);
            Matrix in = l == 0 ? input0 : rowsOf(layers[l - 1].act, rows);
            if (rec != null) {
                rec.g[l] = backend.download(grad);
            }
            backend.activationBackward(s.spec.activation(), act, grad, grad);
            backend.gemm(true, false, 1.0, grad, in, beta, s.weightGrad);
            if (s.bias != null) {
                backend.biasGradient(grad, beta, s.biasGrad);
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

    private void checkBatch(Samples data, int[] order, int from, int rows) {
        if (data.inputWidth() != initial.inputs() || data.targetWidth() != initial.outputs()) {
            throw new IllegalArgumentException("samples of " + data.inputWidth() + " inputs and " + data.targetWidth()
                    + " targets for a network of " + initial.inputs() + " inputs and " + initial.outputs() + " outputs");
        }
        int limit = order == null ? data.count() : order.length;
        if (rows < 1 || from < 0 || (long) from + rows > limit) {
            throw new IllegalArgumentException("a batch of samples " + from + " .. " + ((long) from + rows - 1)
                    + ", but there are " + limit);
        }
    }

    /** Arrays from a caller, as samples; their lengths give the number of samples. */
    private Samples arrays(double[] x, double[] t) {
        int n = Math.min(x.length / initial.inputs(), t.length / initial.outputs());
        if (n < 1) {
            throw new IllegalArgumentException("the arrays hold no whole sample");
        }
        return new ArraySamples(n, initial.inputs(), initial.outputs(), x, t);
    }

    /** Row-major arrays that may be longer than their samples. */
    private record ArraySamples(int count, int inputWidth, int targetWidth, double[] inputArray, double[] targetArray)
            implements Samples {
        @Override
        public String name() {
            return "arrays";
        }

        @Override
        public void copyInputs(int first, int rows, double[] dst, int offset) {
            System.arraycopy(inputArray, first * inputWidth, dst, offset, rows * inputWidth);
        }

        @Override
        public void copyTargets(int first, int rows, double[] dst, int offset) {
            System.arraycopy(targetArray, first * targetWidth, dst, offset, rows * targetWidth);
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
        for (ResidentBatch b : List.copyOf(residents)) {
            b.close();
        }
        if (!backend.isClosed()) {
            streamed.values().forEach(RecordedStep::close);
        }
        streamed.clear();
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

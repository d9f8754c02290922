package dev.nabla.train;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Optimizer;
import dev.nabla.data.Samples;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import dev.nabla.model.OptimizerState;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a network on one backend: forward, loss, backward and the optimizer's update
 * ({@link Optimizer}), as a sequence of backend operations. The trainer only composes; the backend computes. Its parts:
 * {@link DeviceNetwork} (the parameters and layer buffers on the backend), {@link BatchStaging}
 * (batches uploaded micro-batch by micro-batch), {@link ForwardBackward} (the passes and the loss),
 * {@link RecordedStep} (steps recorded once and replayed), {@link ResidentBatch} (batches kept on
 * the backend), {@link StepTracer} (every intermediate of a traced step) and {@link MemoryPlan}
 * (how many samples a micro-batch holds).
 *
 * <p>Everything lives on the backend for the trainer's whole life, sized for micro-batches of up
 * to {@link #capacity()} samples; a shorter one uses the first rows of the same storage. A batch
 * larger than the capacity is split into micro-batches whose gradients (and losses) add up on the
 * backend before the one update, so the step equals the step on the whole batch, up to the order
 * of the sums.
 *
 * <p>A step whose batch fits in one micro-batch is the same sequence of operations every time, so
 * after running it once the trainer records it ({@link Backend#record}) and replays it (one graph
 * launch on a GPU); so it does for batches kept on the backend ({@link #keep}). Where the backend
 * fuses the network ({@link Backend#fusesNetwork}), forward, loss and backward are one operation.
 * Steps allocate nothing on the Java heap once each batch size has been seen.
 *
 * <p>The optimizer's state (SGD's velocities, Adam's moments) lives on the backend beside the
 * parameters; the learning rate and Adam's bias corrections of each step are uploaded into a
 * {@code 1 x 3} matrix the update reads, so the recorded step serves every rate a schedule gives.
 * {@link #optimizerState()} reads the state back for a checkpoint, and a trainer made from it
 * continues exactly where the checkpointed one stood.
 */
public final class Trainer implements AutoCloseable {
    private final Backend backend;
    private final int capacity;
    private final Allocations memory;
    private final BatchStaging staging;
    private final Matrix loss;
    private final DeviceNetwork net;
    private final ForwardBackward passes;
    private final List<ResidentBatch> residents = new ArrayList<>();
    /**
     * The recorded steps on batches uploaded into the first buffer set, for the two latest batch
     * sizes (an epoch has one batch size and at most one shorter last batch).
     */
    private final RecordedStep[] streamed = new RecordedStep[2];

    private final int[] streamedRows = new int[2];
    /** The loss, and for a classification loss the samples classified right, of the latest step or evaluation. */
    private final double[] lossHost;
    /** The optimizer's step scalars on the backend ({@link Optimizer#stepScalars}), and their host copy. */
    private final Matrix scalars;

    private final double[] scalarsHost = new double[Optimizer.STEP_SCALARS];
    /** The optimizer's updates so far, counting those before the state this trainer started from. */
    private long optimizerSteps;

    /**
     * Puts {@code network} on {@code backend}, ready for micro-batches of up to {@code capacity}
     * samples (batches of any size are split into those); {@link MemoryPlan#capacityFor} says how
     * many fit, and {@link MemoryPlan#maxCapacity} how many its arrays hold at most. It trains with
     * the optimizer the network's model names ({@link Network#optimizer()}), or plain SGD where it
     * names none. The trainer does not own the backend.
     */
    public Trainer(Backend backend, Network network, int capacity) {
        this(backend, network, capacity, network.optimizer() != null ? network.optimizer() : Optimizer.SGD);
    }

    /** A trainer whose updates are {@code optimizer}'s, from a state of no steps. */
    public Trainer(Backend backend, Network network, int capacity, Optimizer optimizer) {
        this(backend, network, capacity, OptimizerState.fresh(optimizer, network));
    }

    /**
     * A trainer whose optimizer continues from {@code state} (as {@link #optimizerState()} gave
     * it, or a checkpoint holds it): its next update is number {@code state.steps() + 1}.
     *
     * @throws IllegalArgumentException when the state does not fit the network
     */
    public Trainer(Backend backend, Network network, int capacity, OptimizerState state) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        if (capacity > MemoryPlan.maxCapacity(network)) {
            throw new IllegalArgumentException("capacity " + capacity + " is more than one micro-batch of this network "
                    + "holds: at most " + MemoryPlan.maxCapacity(network) + " samples of "
                    + MemoryPlan.widestRow(network) + " values in its widest buffer");
        }
        this.backend = backend;
        this.capacity = capacity;
        this.memory = new Allocations(backend);
        try {
            staging = new BatchStaging(memory, capacity, network.inputs(), network.outputs());
            lossHost = new double[network.loss().classification() ? 2 : 1];
            loss = memory.allocate(1, lossHost.length);
            scalars = memory.allocate(1, Optimizer.STEP_SCALARS);
            net = new DeviceNetwork(network, state, memory, capacity);
            optimizerSteps = state.steps();
            passes = new ForwardBackward(backend, net, loss);
        } catch (RuntimeException | Error e) {
            memory.close();
            throw e;
        }
    }

    /** The backend the network is on, which this trainer does not close. */
    public Backend backend() {
        return backend;
    }

    /** The largest micro-batch; larger batches are split. */
    public int capacity() {
        return capacity;
    }

    /**
     * One training step on samples {@code first .. first + rows - 1} of {@code x} and {@code t}
     * (row-major, {@code I} and {@code O} values per sample).
     *
     * @return the batch's loss before the update (the mean over its samples)
     */
    public double step(double[] x, double[] t, int first, int rows, double lr) {
        return step(arrays(x, t), null, first, rows, lr);
    }

    /**
     * One training step on the batch of samples {@code order[from .. from + rows - 1]} of {@code data}
     * (or samples {@code from .. from + rows - 1} when {@code order} is null), in micro-batches of
     * at most {@link #capacity()}.
     *
     * @return the batch's loss before the update (the mean over its samples)
     */
    public double step(Samples data, int[] order, int from, int rows, double lr) {
        checkRate(lr);
        checkBatch(data, order, from, rows);
        prepareUpdate(lr);
        if (rows > capacity) {
            staging.run(data, order, from, rows, true, passes, null);
            net.update(scalars);
            return lastLoss();
        }
        // One micro-batch: the same operations on the same buffers every step of this size, so the
        // step is recorded and replayed (one graph launch on a GPU) after the upload.
        staging.upload(data, order, from, rows, 0);
        streamedStep(rows).run();
        return lastLoss();
    }

    /**
     * The number of parameters: the length of the flat arrays of {@link #parameters},
     * {@link #loadParameters}, {@link #gradientSums} and {@link #applyGradients}, which hold per
     * layer, first to last, its weights ({@code O x I}, row-major), then its bias ({@code O})
     * where it has one.
     */
    public int parameterCount() {
        return net.parameterCount();
    }

    /** Copies every weight and bias as they are now on the backend into {@code out} ({@link #parameterCount()}'s order). */
    public void parameters(double[] out) {
        net.downloadParameters(out, 0);
    }

    /**
     * Replaces every weight and bias with {@code values} ({@link #parameterCount()}'s order),
     * leaving the optimizer's state as it is: a trainer kept for one network's shape takes each
     * step's weights this way.
     */
    public void loadParameters(double[] values) {
        net.uploadParameters(values, 0);
    }

    /**
     * The loss and the gradients of samples {@code order[from .. from + rows - 1]} of {@code data}
     * (or {@code from ..} when {@code order} is null) as a part of a batch of {@code count}
     * samples, without any update: the sums over these samples of each one's loss and gradient,
     * divided by {@code count}. So the parts of one batch, added up, are that batch's mean loss and
     * gradient, and {@link #applyGradients} with their sum takes the step {@link #step} takes on the
     * whole batch, up to the order of the sums. The gradients go to {@code gradients}
     * ({@link #parameterCount()}'s order); {@link #lastCorrect()} then says how many of these samples
     * were classified right.
     *
     * @return these samples' share of the batch's loss: their losses' sum divided by {@code count}
     */
    public double gradientSums(Samples data, int[] order, int from, int rows, int count, double[] gradients) {
        checkBatch(data, order, from, rows);
        if (count < rows) {
            throw new IllegalArgumentException("a part of " + rows + " samples of a batch of only " + count);
        }
        staging.run(data, order, from, rows, count, true, passes, null);
        net.downloadGradients(gradients, 0);
        return lastLoss();
    }

    /**
     * One optimizer update with {@code gradients} ({@link #parameterCount()}'s order) as the
     * batch's gradients at learning rate {@code lr}: the update {@link #step} ends with, counted
     * as one step of the optimizer's state (Adam's bias corrections), so that a trainer fed the
     * summed {@link #gradientSums} of each batch's parts trains as one fed the batches.
     */
    public void applyGradients(double[] gradients, double lr) {
        checkRate(lr);
        net.uploadGradients(gradients, 0);
        prepareUpdate(lr);
        net.update(scalars);
    }

    /** Uploads the next update's learning rate and bias corrections, and counts the update. */
    private void prepareUpdate(double lr) {
        net.optimizer().stepScalars(lr, optimizerSteps + 1, scalarsHost);
        backend.upload(scalarsHost, 0, scalars);
        optimizerSteps++;
    }

    /** The recorded step for batches of {@code rows} uploaded into the first buffer set. */
    private RecordedStep streamedStep(int rows) {
        for (int k = 0; k < streamed.length; k++) {
            if (streamed[k] != null && streamedRows[k] == rows) {
                return streamed[k];
            }
        }
        if (streamed[0] != null) { // the oldest size makes room; the latest stays
            streamed[0].close();
        }
        streamed[0] = streamed[1];
        streamedRows[0] = streamedRows[1];
        Matrix x = staging.inputs(0, rows);
        Matrix t = staging.targets(0, rows);
        streamed[1] = new RecordedStep(backend, () -> {
            passes.compute(x, t, rows, 0.0, true, null);
            net.update(scalars);
        });
        streamedRows[1] = rows;
        return streamed[1];
    }

    /**
     * The loss of the latest step, or of the latest {@link #loss} evaluation: one number copied
     * back (two for a classification loss, the other read by {@link #lastCorrect()}).
     */
    public double lastLoss() {
        backend.download(loss, lossHost, 0);
        return lossHost[0];
    }

    /**
     * For a classification loss, the samples the batch of the latest {@link #lastLoss()} had
     * classified right (by the network before the step's update); -1 for {@code mse}.
     */
    public long lastCorrect() {
        return lossHost.length > 1 ? Math.round(lossHost[1]) : -1;
    }

    /** The loss the network trains against. */
    public Loss lossFunction() {
        return net.initial().loss();
    }

    /** The optimizer this trainer updates with. */
    public Optimizer optimizer() {
        return net.optimizer();
    }

    /** The optimizer's state as it is now on the backend: what a trainer made from it continues from. */
    public OptimizerState optimizerState() {
        return net.downloadState(optimizerSteps);
    }

    /**
     * Keeps samples {@code first .. first + rows - 1} of {@code data} on the backend, for steps
     * that upload nothing ({@link #queueStep}): for data that fits in the backend's memory, as a
     * benchmark's fixed batch or a small data set does. At most {@link #capacity()} rows.
     */
    public ResidentBatch keep(Samples data, int first, int rows) {
        checkBatch(data, null, first, rows);
        if (rows > capacity) {
            throw new IllegalArgumentException(
                    "a resident batch holds at most the trainer's " + capacity + " samples, not " + rows);
        }
        Network spec = net.initial();
        Matrix x = backend.allocate(rows, spec.inputs());
        Matrix t;
        try {
            t = backend.allocate(rows, spec.outputs());
        } catch (RuntimeException | Error e) {
            x.close();
            throw e;
        }
        ResidentBatch b = new ResidentBatch(this, x, t, new RecordedStep(backend, () -> {
            passes.compute(x, t, rows, 0.0, true, null);
            net.update(scalars);
        }));
        residents.add(b);
        try {
            double[] xs = new double[rows * spec.inputs()];
            double[] ts = new double[rows * spec.outputs()];
            data.copyInputs(first, rows, xs, 0);
            data.copyTargets(first, rows, ts, 0);
            backend.upload(xs, 0, x);
            backend.upload(ts, 0, t);
        } catch (RuntimeException | Error e) {
            b.close();
            throw e;
        }
        return b;
    }

    /** Forgets a closed resident batch; false when it was not this trainer's or its matrices are already gone. */
    boolean release(ResidentBatch b) {
        return residents.remove(b) && !backend.isClosed();
    }

    /**
     * Queues one SGD step on a resident batch and returns without waiting for it or copying
     * anything back ({@link #lastLoss()} reads its loss). The first step on a batch runs operation
     * by operation; the next records them ({@link Backend#record}), and later steps replay the
     * recording: on a GPU, one graph launch a step.
     */
    public void queueStep(ResidentBatch b, double lr) {
        checkRate(lr);
        if (b.owner() != this || !residents.contains(b)) {
            throw new IllegalArgumentException("the resident batch is closed or belongs to another trainer");
        }
        prepareUpdate(lr);
        b.step.run();
    }

    /** {@link #queueStep}, then its loss (which waits for the step). */
    public double step(ResidentBatch b, double lr) {
        queueStep(b, lr);
        return lastLoss();
    }

    /** {@link #step}, returning every intermediate value and the updated network; the batch must fit the capacity. */
    public StepTrace traceStep(double[] x, double[] t, int first, int rows, double lr) {
        if (rows > capacity) {
            throw new IllegalArgumentException("a traced step takes at most " + capacity + " samples, not " + rows);
        }
        Samples data = arrays(x, t);
        checkBatch(data, null, first, rows);
        StepTracer trace = new StepTracer(net.depth());
        prepareUpdate(lr);
        staging.run(data, null, first, rows, true, passes, trace);
        net.update(scalars);
        return new StepTrace(lastLoss(), trace.layers(net, rows), network());
    }

    /** The loss of the current network on samples {@code first .. first + rows - 1}, without training. */
    public double loss(double[] x, double[] t, int first, int rows) {
        return loss(arrays(x, t), first, rows);
    }

    /**
     * The mean loss of the current network on samples {@code first .. first + rows - 1} of
     * {@code data}; for a classification loss {@link #lastCorrect()} then says how many it classifies right.
     */
    public double loss(Samples data, int first, int rows) {
        checkBatch(data, null, first, rows);
        staging.run(data, null, first, rows, false, passes, null);
        return lastLoss();
    }

    /** The network's outputs for samples {@code first .. first + rows - 1}: {@code rows x O}, row-major. */
    public double[] predict(double[] x, int first, int rows) {
        int in = net.initial().inputs();
        if (first < 0 || rows < 1 || (long) (first + rows) * in > x.length) {
            throw new IllegalArgumentException(
                    "samples " + first + " .. " + (first + rows - 1) + " of " + x.length / in);
        }
        int out = net.initial().outputs();
        double[] result = new double[Math.multiplyExact(rows, out)];
        for (int done = 0; done < rows; done += capacity) {
            int r = Math.min(capacity, rows - done);
            Matrix inputs = staging.inputs(0, r);
            backend.upload(x, (first + done) * in, inputs);
            backend.download(passes.forward(inputs, null), result, done * out);
        }
        return result;
    }

    /** The network as it is now on the backend. */
    public Network network() {
        return net.download();
    }

    private static void checkRate(double lr) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive finite number, not " + lr);
        }
    }

    private void checkBatch(Samples data, int[] order, int from, int rows) {
        Network spec = net.initial();
        if (data.inputWidth() != spec.inputs() || data.targetWidth() != spec.outputs()) {
            throw new IllegalArgumentException("samples of " + data.inputWidth() + " inputs and " + data.targetWidth()
                    + " targets for a network of " + spec.inputs() + " inputs and " + spec.outputs() + " outputs");
        }
        int limit = order == null ? data.count() : order.length;
        if (rows < 1 || from < 0 || (long) from + rows > limit) {
            throw new IllegalArgumentException(
                    "a batch of samples " + from + " .. " + ((long) from + rows - 1) + ", but there are " + limit);
        }
    }

    /** Arrays from a caller, as samples; their lengths give the number of samples. */
    private Samples arrays(double[] x, double[] t) {
        Network spec = net.initial();
        int n = Math.min(x.length / spec.inputs(), t.length / spec.outputs());
        if (n < 1) {
            throw new IllegalArgumentException("the arrays hold no whole sample");
        }
        return new ArraySamples(n, spec.inputs(), spec.outputs(), x, t);
    }

    /** Frees everything the trainer allocated on the backend, last allocated first. */
    @Override
    public void close() {
        for (ResidentBatch b : List.copyOf(residents)) {
            b.close();
        }
        for (int k = 0; k < streamed.length; k++) {
            if (streamed[k] != null && !backend.isClosed()) {
                streamed[k].close();
            }
            streamed[k] = null;
        }
        memory.close();
    }
}

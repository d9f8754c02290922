package dev.nabla.spark;

import dev.nabla.InputException;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.data.Samples;
import dev.nabla.model.Network;
import dev.nabla.model.OptimizerState;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingDivergedException;
import dev.nabla.train.TrainingLoop;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * Synchronous data-parallel training on Spark, through its public API: one machine's steps,
 * computed by many. Each step the driver broadcasts the weights; each of the {@code partitions}
 * tasks loads them into its executor's trainer and computes the loss and gradient sums of its
 * part of the global batch ({@link BatchParts}: the same batch one machine's {@link TrainingLoop}
 * takes, cut into contiguous parts in partition order); the driver collects the parts, adds them
 * in partition order (never in the order they finished) and applies the optimizer's update on its
 * own trainer, which holds the optimizer's state exactly as one machine's does. So the weights
 * after any number of steps are one machine's up to the order of the sums, and a run repeated, or
 * a run whose tasks failed and were retried, gives the same bits.
 *
 * <p>The data never passes through the driver: each executor opens it from {@link SparkData}.
 * The driver needs its own backend only for the update ({@code Backends.select("cpu", precision)}
 * by default).
 */
public final class SparkTrainer {

    /**
     * How to run: the partitions a global batch is cut into, the backend each executor asks
     * {@code Backends.select} for (and the driver's, for the update), their precision, and a hook
     * every task calls before it computes ({@link TaskHook#NONE} but in tests).
     */
    public record Config(int partitions, String backend, String driverBackend, Precision precision, TaskHook hook) {
        public Config {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
            }
            if (hook == null) {
                hook = TaskHook.NONE;
            }
        }

        /** {@code partitions} partitions on the backend {@code auto} chooses per executor, the update on the CPU. */
        public static Config of(int partitions, Precision precision) {
            return new Config(partitions, Backends.AUTO, "cpu", precision, TaskHook.NONE);
        }

        public Config withBackend(String executors) {
            return new Config(partitions, executors, driverBackend, precision, hook);
        }

        public Config withHook(TaskHook h) {
            return new Config(partitions, backend, driverBackend, precision, h);
        }
    }

    /** Told of every step and every epoch. */
    public interface Listener {
        default void stepDone(StepReport report) {}

        default void epochDone(TrainingLoop.Epoch epoch) {}
    }

    /**
     * A finished run: the trained network, the optimizer's state (what a checkpoint keeps), the
     * run's summary as {@link TrainingLoop} gives it, where each partition ran, and the run's
     * totals of bytes moved and time spent computing (the slowest partition's, step by step) and
     * exchanging.
     */
    public record Result(
            Network network,
            OptimizerState optimizerState,
            TrainingLoop.Result run,
            List<ExecutorReport> executors,
            long broadcastBytes,
            long resultBytes,
            double computeSeconds,
            double exchangeSeconds,
            int failedAttempts) {}

    private final JavaSparkContext spark;
    private final Config config;

    public SparkTrainer(JavaSparkContext spark, Config config) {
        this.spark = spark;
        this.config = config;
    }

    /** Trains {@code network} from a fresh {@code optimizer} state. */
    public Result train(Network network, SparkData data, TrainingLoop.Options options, Optimizer optimizer) {
        return train(network, data, options, OptimizerState.fresh(optimizer, network), null);
    }

    /**
     * Trains {@code network} on {@code data} for {@code options}' epochs, its optimizer continuing
     * from {@code state}; {@code listener} (may be null) is told of each step and epoch.
     */
    public Result train(
            Network network, SparkData data, TrainingLoop.Options options, OptimizerState state, Listener listener) {
        Listener events = listener == null ? new Listener() {} : listener;
        int parts = config.partitions();
        NetworkShape shape = NetworkShape.of(network);
        JavaRDD<Integer> partitions =
                spark.parallelize(IntStream.range(0, parts).boxed().collect(Collectors.toList()), parts);
        try (Selection driverBackend = Backends.select(config.driverBackend(), config.precision());
                Trainer driver = new Trainer(driverBackend.backend(), network, 1, state)) {
            int p = driver.parameterCount();
            double[] weights = new double[p];
            driver.parameters(weights);
            ExecutorCache.Key unsized = new ExecutorCache.Key(shape, config.backend(), config.precision(), 0);
            List<ExecutorReport> executors = setUp(partitions, network, data, weights, unsized, options.batch());
            int n = executors.get(0).samples();
            int batch = Math.min(options.batch(), n);
            ExecutorCache.Key key = unsized.forParts(batch, parts);
            int stepsPerEpoch = (n + batch - 1) / batch;
            long totalSteps = (long) options.epochs() * stepsPerEpoch;
            boolean classifies = network.loss().classification();
            double[] sum = new double[p];
            long stepsDone = 0; // the schedule counts this run's steps, as TrainingLoop does
            long broadcastBytes = 0;
            long resultBytes = 0;
            long computeNanos = 0;
            long exchangeNanos = 0;
            long trainNanos = 0;
            int failed = 0;
            long samplesDone = 0;
            double lastLoss = Double.NaN;
            for (int e = 1; e <= options.epochs(); e++) {
                double lossSum = 0;
                long correct = 0;
                long epochNanos = 0;
                for (int k = 0; k < stepsPerEpoch; k++) {
                    int first = k * batch;
                    int rows = Math.min(batch, n - first);
                    double lr = options.schedule().rate(options.learningRate(), stepsDone, totalSteps);
                    long t0 = System.nanoTime();
                    StepTask.StepPlan plan = new StepTask.StepPlan(
                            stepsDone + 1, e, first, rows, parts, options.shuffle(), options.seed());
                    PartResult[] results = runStep(partitions, weights, plan, key, data);
                    long t1 = System.nanoTime();
                    double loss = 0;
                    long right = 0;
                    long slowest = 0;
                    long bytes = 0;
                    Arrays.fill(sum, 0.0);
                    for (PartResult r : results) { // in partition order: the sums are the same every run
                        loss += r.loss();
                        right += r.correct();
                        slowest = Math.max(slowest, r.computeNanos());
                        bytes += r.payloadBytes();
                        if (r.gradients() != null) {
                            for (int i = 0; i < p; i++) {
                                sum[i] += r.gradients()[i];
                            }
                        }
                    }
                    driver.applyGradients(sum, lr);
                    weights = new double[p]; // the next broadcast's own array
                    driver.parameters(weights);
                    long t2 = System.nanoTime();
                    stepsDone++;
                    samplesDone += rows;
                    if (!Double.isFinite(loss)) {
                        throw new TrainingDivergedException(e, stepsDone, k + 1, loss);
                    }
                    lossSum += loss * rows;
                    correct += right;
                    long wall = t2 - t0;
                    epochNanos += wall;
                    long exchange = Math.max(0, (t1 - t0) - slowest);
                    broadcastBytes += 8L * p;
                    resultBytes += bytes;
                    computeNanos += slowest;
                    exchangeNanos += exchange;
                    int retried = retries(results);
                    failed += retried;
                    TrainingLoop.Position next = k + 1 < stepsPerEpoch
                            ? new TrainingLoop.Position(e, k + 1, stepsDone, lossSum, correct)
                            : new TrainingLoop.Position(e + 1, 0, stepsDone, 0.0, 0);
                    TrainingLoop.Step step = new TrainingLoop.Step(
                            e,
                            stepsDone,
                            k + 1,
                            stepsPerEpoch,
                            lr,
                            loss,
                            rows,
                            classifies ? right : -1,
                            wall / 1e9,
                            next);
                    events.stepDone(new StepReport(step, 8L * p, bytes, wall, slowest, t2 - t1, exchange, retried));
                }
                trainNanos += epochNanos;
                lastLoss = lossSum / n;
                events.epochDone(new TrainingLoop.Epoch(
                        e,
                        lastLoss,
                        Double.NaN,
                        n,
                        stepsPerEpoch,
                        epochNanos / 1e9,
                        classifies ? (double) correct / n : Double.NaN,
                        Double.NaN));
            }
            TrainingLoop.Result run = new TrainingLoop.Result(
                    samplesDone,
                    stepsDone,
                    trainNanos / 1e9,
                    lastLoss,
                    new TrainingLoop.Position(options.epochs() + 1, 0, stepsDone, 0.0, 0),
                    true);
            return new Result(
                    driver.network(),
                    driver.optimizerState(),
                    run,
                    executors,
                    broadcastBytes,
                    resultBytes,
                    computeNanos / 1e9,
                    exchangeNanos / 1e9,
                    failed);
        }
    }

    /**
     * One step's job: the weights broadcast (and the broadcast destroyed once the parts are in),
     * every partition's part computed, the results put in partition order.
     */
    private PartResult[] runStep(
            JavaRDD<Integer> partitions,
            double[] weights,
            StepTask.StepPlan plan,
            ExecutorCache.Key key,
            SparkData data) {
        Broadcast<double[]> shared = spark.broadcast(weights);
        try {
            List<PartResult> collected = partitions
                    .mapPartitionsWithIndex(new StepTask(shared, plan, key, data, config.hook()), true)
                    .collect();
            PartResult[] byPartition = new PartResult[plan.parts()];
            for (PartResult r : collected) {
                if (byPartition[r.partition()] != null) {
                    throw new IllegalStateException("two results for partition " + r.partition());
                }
                byPartition[r.partition()] = r;
            }
            for (int q = 0; q < byPartition.length; q++) {
                if (byPartition[q] == null) {
                    throw new IllegalStateException("no result for partition " + q + " of step " + plan.step());
                }
            }
            return byPartition;
        } finally {
            shared.destroy();
        }
    }

    /** The attempts that failed before the ones whose results came back. */
    private static int retries(PartResult[] results) {
        int n = 0;
        for (PartResult r : results) {
            n += r.attempt();
        }
        return n;
    }

    /** Opens the data and a worker in every partition and reports what each found. */
    private List<ExecutorReport> setUp(
            JavaRDD<Integer> partitions,
            Network network,
            SparkData data,
            double[] weights,
            ExecutorCache.Key unsized,
            int batch) {
        Broadcast<double[]> shared = spark.broadcast(weights);
        List<ExecutorReport> reports;
        try {
            reports = partitions
                    .mapPartitionsWithIndex(new SetUpTask(shared, unsized, batch, config.partitions(), data), true)
                    .collect();
        } finally {
            shared.destroy();
        }
        List<ExecutorReport> sorted = new ArrayList<>(reports);
        sorted.sort(Comparator.comparingInt(ExecutorReport::partition));
        ExecutorReport first = sorted.get(0);
        for (ExecutorReport r : sorted) {
            if (r.samples() != first.samples()
                    || r.inputWidth() != first.inputWidth()
                    || r.targetWidth() != first.targetWidth()) {
                throw new InputException(data.describe() + ": partition " + r.partition() + " on executor "
                        + r.executor() + " sees " + r.samples() + " samples of " + r.inputWidth() + " + "
                        + r.targetWidth() + " values, partition 0 " + first.samples() + " of " + first.inputWidth()
                        + " + " + first.targetWidth());
            }
        }
        if (first.inputWidth() != network.inputs() || first.targetWidth() != network.outputs()) {
            throw new InputException(data.describe() + ": " + first.inputWidth() + " inputs and " + first.targetWidth()
                    + " targets per sample, but the model takes " + network.inputs() + " and " + network.outputs());
        }
        return List.copyOf(sorted);
    }

    /** The set-up job's task: open the data and a worker sized for the parts of its batches, report them. */
    private static final class SetUpTask implements Function2<Integer, Iterator<Integer>, Iterator<ExecutorReport>> {
        private final Broadcast<double[]> weights;
        private final ExecutorCache.Key unsized;
        private final int batch;
        private final int parts;
        private final SparkData data;

        SetUpTask(Broadcast<double[]> weights, ExecutorCache.Key unsized, int batch, int parts, SparkData data) {
            this.weights = weights;
            this.unsized = unsized;
            this.batch = batch;
            this.parts = parts;
            this.data = data;
        }

        @Override
        public Iterator<ExecutorReport> call(Integer partition, Iterator<Integer> ignored) {
            Samples samples = ExecutorCache.samples(data);
            ExecutorCache.Key key = unsized.forParts(Math.min(batch, samples.count()), parts);
            ExecutorCache.Worker w = ExecutorCache.borrow(key, weights.value());
            String backend = w.selection.summary();
            ExecutorCache.giveBack(key, w);
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "?";
            }
            String executor = SparkEnv.get() == null ? "?" : SparkEnv.get().executorId();
            return List.of(new ExecutorReport(
                            partition,
                            executor,
                            host,
                            backend,
                            samples.count(),
                            samples.inputWidth(),
                            samples.targetWidth()))
                    .iterator();
        }
    }
}

package dev.nabla.spark;

import dev.nabla.backend.Backends;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.data.SampleSource;
import dev.nabla.model.Network;
import dev.nabla.model.OptimizerState;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingLoop;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Synchronous data-parallel training on Spark, through its public API: one machine's steps,
 * computed by many. Each step the driver broadcasts the weights; each of the {@code partitions}
 * tasks loads them into its executor's trainer and computes the loss and gradient sums of its
 * part of the global batch ({@link BatchParts}: the same batch one machine's {@link TrainingLoop}
 * takes, cut into contiguous parts in partition order); the exchange adds the parts in partition
 * order (never in the order they finished) and the driver applies the optimizer's update on its
 * own trainer, which holds the optimizer's state exactly as one machine's does. The steps run in
 * {@link TrainingLoop} itself, so the weights after any number of steps are one machine's up to
 * the order of the sums, and a run repeated, or a run whose tasks failed and were retried, gives
 * the same bits.
 *
 * <p>The data never passes through the driver: each executor opens it from its
 * {@link SampleSource}. The driver needs its own backend only for the update
 * ({@code Backends.select("cpu", precision)} by default).
 */
public final class SparkTrainer {
    /** The default bound on the partitions' gradients together that the driver collects at once. */
    public static final long DRIVER_BYTES = 256L << 20;

    /**
     * How to run: the partitions a global batch is cut into, the backend each executor asks
     * {@code Backends.select} for (and the driver's, for the update), their precision, a hook
     * every task calls before it computes ({@link TaskHook#NONE} but in tests), the exchange
     * (null: {@link CollectExchange} while {@code partitions x 8 x parameters} bytes stay within
     * {@code driverBytes}, else a reduce-scatter).
     */
    public record Config(
            int partitions,
            String backend,
            String driverBackend,
            Precision precision,
            TaskHook hook,
            ExchangeChoice exchange,
            long driverBytes) {
        /** Checks the partitions (at least 1) and the driver's bound (0 or more); a null hook is {@link TaskHook#NONE}. */
        public Config {
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1, not " + partitions);
            }
            if (driverBytes < 0) {
                throw new IllegalArgumentException("driverBytes must be 0 or more, not " + driverBytes);
            }
            if (hook == null) {
                hook = TaskHook.NONE;
            }
        }

        /** {@code partitions} partitions on the backend {@code auto} chooses per executor, the update on the CPU. */
        public static Config of(int partitions, Precision precision) {
            return new Config(partitions, Backends.AUTO, "cpu", precision, TaskHook.NONE, null, DRIVER_BYTES);
        }

        /** This configuration with every executor asking for the backend {@code executors} ({@code auto}, {@code cpu}, {@code cuda}). */
        public Config withBackend(String executors) {
            return new Config(partitions, executors, driverBackend, precision, hook, exchange, driverBytes);
        }

        /** This configuration with every task calling {@code h} before it computes. */
        public Config withHook(TaskHook h) {
            return new Config(partitions, backend, driverBackend, precision, h, exchange, driverBytes);
        }

        /** This configuration with the automatic choice of exchange turning to the reduce-scatter beyond {@code bytes}. */
        public Config withDriverBytes(long bytes) {
            return new Config(partitions, backend, driverBackend, precision, hook, exchange, bytes);
        }

        /** This configuration with the exchange {@code e} (null: chosen by size). */
        public Config withExchange(ExchangeChoice e) {
            return new Config(partitions, backend, driverBackend, precision, hook, e, driverBytes);
        }
    }

    /** Told of every step and every epoch. */
    public interface Listener {
        /** After each global step, with its exchange's figures; the default does nothing. */
        default void stepDone(StepReport report) {}

        /** After each epoch, as {@link TrainingLoop.Listener#epochDone} is; the default does nothing. */
        default void epochDone(TrainingLoop.Epoch epoch) {}
    }

    /**
     * A finished run: the trained network, the optimizer's state (what a checkpoint keeps), the
     * run's summary as {@link TrainingLoop} gives it, where each partition ran, the exchange it
     * used, and the run's totals of bytes moved and time spent computing (the slowest
     * partition's, step by step), exchanging and updating.
     */
    public record Result(
            Network network,
            OptimizerState optimizerState,
            TrainingLoop.Result run,
            List<ExecutorReport> executors,
            String exchange,
            long broadcastBytes,
            long resultBytes,
            long shuffleBytes,
            double computeSeconds,
            double exchangeSeconds,
            double updateSeconds,
            int failedAttempts) {}

    private final JavaSparkContext spark;
    private final Config config;

    /** A trainer that runs its tasks on {@code spark}'s executors as {@code config} says; it does not stop the context. */
    public SparkTrainer(JavaSparkContext spark, Config config) {
        this.spark = spark;
        this.config = config;
    }

    /** Trains {@code network} from a fresh {@code optimizer} state. */
    public Result train(Network network, SampleSource data, TrainingLoop.Options options, Optimizer optimizer) {
        return train(network, data, options, OptimizerState.fresh(optimizer, network), null);
    }

    /**
     * Trains {@code network} on {@code data} for {@code options}' epochs, its optimizer continuing
     * from {@code state}; {@code listener} (may be null) is told of each step and epoch.
     */
    public Result train(
            Network network, SampleSource data, TrainingLoop.Options options, OptimizerState state, Listener listener) {
        Listener events = listener == null ? new Listener() {} : listener;
        try (Selection driverBackend = Backends.select(config.driverBackend(), config.precision());
                Trainer driver = new Trainer(driverBackend.backend(), network, 1, state)) {
            try (SparkSteps steps = steps(driver, data, options, 0)) {
                return train(driver, steps, options, events);
            }
        }
    }

    private Result train(Trainer driver, SparkSteps steps, TrainingLoop.Options options, Listener events) {
        TrainingLoop.Listener reporting = new TrainingLoop.Listener() {
            @Override
            public void stepDone(TrainingLoop.Step step) {
                events.stepDone(StepReport.of(step, steps.last()));
            }

            @Override
            public void epochDone(TrainingLoop.Epoch epoch) {
                events.epochDone(epoch);
            }
        };
        TrainingLoop.Result run = TrainingLoop.run(
                driver, steps, steps.samples(), null, options, TrainingLoop.Position.START, () -> false, reporting);
        return new Result(
                driver.network(),
                driver.optimizerState(),
                run,
                steps.executorReports(),
                steps.exchangeName(),
                steps.broadcastBytes(),
                steps.toDriverBytes(),
                steps.shuffleBytes(),
                steps.computeSeconds(),
                steps.exchangeSeconds(),
                steps.updateSeconds(),
                steps.failedAttempts());
    }

    /**
     * The steps of a run whose updates {@code driver} applies: for {@link TrainingLoop}, which
     * then trains as on one machine, resumes, stops and reports alike. Sets the run up first:
     * every partition opens {@code data} and a trainer ({@code microBatch}: the executors'
     * micro-batch, 0 for as many as fit).
     */
    SparkSteps steps(Trainer driver, SampleSource data, TrainingLoop.Options options, int microBatch) {
        return new SparkSteps(
                spark, config, driver, data, options.batch(), options.shuffle(), options.seed(), microBatch);
    }
}

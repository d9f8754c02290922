package dev.nabla.spark;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.data.InputScaling;
import dev.nabla.data.SampleSource;
import dev.nabla.train.DistributedTraining;
import dev.nabla.train.Trainer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * A run's steps on Spark. Each step the driver's trainer's weights are broadcast (a fresh
 * {@link Broadcast}, destroyed once the step's sums are in); every partition's task loads them
 * into its executor's trainer and computes the loss and gradient sums of its part of the batch
 * ({@link BatchParts}); the {@link Exchange} adds the parts in partition order; the driver's
 * trainer applies the update. The data never passes through the driver: every executor opens it
 * from its {@link SampleSource} and keeps it ({@link ExecutorCache}), or, for one CSV file's rows,
 * the executors parse it between them and each partition gets the rows it needs ({@link CsvRanges}).
 */
final class SparkSteps implements DistributedTraining.Run, AutoCloseable {
    /** Where one step's time went and what it moved. */
    record Timing(
            long broadcastBytes,
            long toDriverBytes,
            long shuffleBytes,
            long wallNanos,
            long computeNanos,
            long updateNanos,
            long exchangeNanos,
            int failedAttempts) {}

    private final JavaSparkContext spark;
    private final SparkTrainer.Config config;
    private final Trainer driver;
    private final SampleSource data;
    private final boolean shuffle;
    private final long seed;
    private final JavaRDD<StepInput> partitions;
    /** The CSV file's rows, parsed among the executors; null where every executor opens {@code data}. */
    private final CsvRanges csv;

    private final InputScaling csvScaling;
    private final ExecutorCache.Key key;
    private final List<ExecutorReport> executors;
    private final Exchange exchange;
    private final int parameters;
    private long correct = -1;
    private long taken;
    private Timing last;
    private long broadcastBytes;
    private long toDriverBytes;
    private long shuffleBytes;
    /** Where the time of the run's steps went, and of those after its first epoch (past the JIT's warm-up). */
    private final TimeSplit all = new TimeSplit();

    private final TimeSplit warm = new TimeSplit();
    private int firstEpoch;
    private int failedAttempts;

    /**
     * Opens the data and a worker in every partition, for batches of {@code batch} samples
     * (micro-batches of at most {@code microBatch} on the executors, 0 for as many as fit), the
     * epochs' orders shuffled from {@code seed} when {@code shuffle}.
     */
    SparkSteps(
            JavaSparkContext spark,
            SparkTrainer.Config config,
            Trainer driver,
            SampleSource data,
            int batch,
            boolean shuffle,
            long seed,
            int microBatch) {
        this.spark = spark;
        this.config = config;
        this.driver = driver;
        this.shuffle = shuffle;
        this.seed = seed;
        int parts = config.partitions();
        this.parameters = driver.parameterCount();
        this.partitions = spark.parallelize(
                IntStream.range(0, parts)
                        .mapToObj(p -> (StepInput) new StepInput.Opened(p))
                        .collect(Collectors.toList()),
                parts);
        CsvLayout layout = CsvLayout.of(data);
        if (layout != null) {
            this.csv = CsvRanges.parse(spark, layout, parts, batch, shuffle, seed);
            this.csvScaling = layout.scaling();
            this.data = null;
        } else {
            this.csv = null;
            this.csvScaling = null;
            this.data = RemoteFiles.of(spark, data); // URIs are read through Hadoop's file systems
        }
        ExecutorCache.Key unsized = new ExecutorCache.Key(
                NetworkShape.of(driver.network()),
                config.backend(),
                driver.backend().precision(),
                0);
        this.executors = setUp(unsized, csv == null ? batch : Math.min(batch, csv.samples()), microBatch);
        int n = samples();
        this.key = unsized.forParts(Math.min(batch, n), parts, microBatch);
        this.exchange = config.exchange() != null
                ? config.exchange().make(parts, parameters)
                : Exchange.choose(parts, parameters, config.driverBytes());
    }

    @Override
    public int samples() {
        return csv != null ? csv.samples() : executors.get(0).samples();
    }

    /** Where each partition runs, as it reported before the first step. */
    List<ExecutorReport> executorReports() {
        return executors;
    }

    @Override
    public List<String> executors() {
        return ExecutorReport.lines(executors);
    }

    String exchangeName() {
        return exchange.name();
    }

    @Override
    public double step(int epoch, int[] order, int first, int rows, double learningRate) {
        long t0 = System.nanoTime();
        double[] weights = new double[parameters]; // the broadcast keeps this array: a new one each step
        driver.parameters(weights);
        StepTask.StepPlan plan =
                new StepTask.StepPlan(taken + 1, epoch, first, rows, config.partitions(), shuffle, seed);
        Broadcast<double[]> shared = spark.broadcast(weights);
        Exchange.Combined c;
        try {
            JavaRDD<StepInput> input = csv == null ? partitions : csv.blocks(epoch);
            c = exchange.combine(input, new StepTask(shared, plan, key, data, csvScaling, config.hook()), parameters);
        } catch (Exception e) { // Spark's own exceptions are checked, and Scala does not declare them
            throw SparkFailures.explained(e, "step " + plan.step());
        } finally {
            shared.destroy();
        }
        long t1 = System.nanoTime();
        driver.applyGradients(c.gradients(), learningRate);
        long t2 = System.nanoTime();
        taken++;
        correct = driver.lossFunction().classification() ? c.correct() : -1;
        long wall = t2 - t0;
        long exchanged = Math.max(0, (t1 - t0) - c.slowestNanos());
        last = new Timing(
                8L * parameters,
                c.toDriverBytes(),
                c.shuffleBytes(),
                wall,
                c.slowestNanos(),
                t2 - t1,
                exchanged,
                c.failedAttempts());
        broadcastBytes += last.broadcastBytes();
        toDriverBytes += last.toDriverBytes();
        shuffleBytes += last.shuffleBytes();
        all.add(last);
        if (taken == 1) {
            firstEpoch = epoch;
        } else if (epoch > firstEpoch) {
            warm.add(last);
        }
        failedAttempts += last.failedAttempts();
        return c.loss();
    }

    @Override
    public long lastCorrect() {
        return correct;
    }

    /** The latest step's timing and traffic. */
    Timing last() {
        return last;
    }

    long broadcastBytes() {
        return broadcastBytes;
    }

    long toDriverBytes() {
        return toDriverBytes;
    }

    long shuffleBytes() {
        return shuffleBytes;
    }

    double computeSeconds() {
        return all.computeNanos / 1e9;
    }

    double exchangeSeconds() {
        return all.exchangeNanos / 1e9;
    }

    double updateSeconds() {
        return all.updateNanos / 1e9;
    }

    int failedAttempts() {
        return failedAttempts;
    }

    @Override
    public String summary() {
        if (taken == 0) {
            return "exchange: " + exchange.name() + ", no steps taken";
        }
        TimeSplit t = warm.steps > 0 ? warm : all;
        double total = t.computeNanos + t.exchangeNanos + t.updateNanos;
        return String.format(
                        Locale.ROOT,
                        "exchange: %s over %s; per step %s broadcast, %s to the driver%s; of the step time%s %.0f%%"
                                + " computing (the slowest partition), %.0f%% exchanging and scheduling, %.0f%% in the"
                                + " driver's update (%.1f ms a step)%s",
                        exchange.name(),
                        Plural.of(config.partitions(), "partition"),
                        bytes(broadcastBytes / taken),
                        bytes(toDriverBytes / taken),
                        shuffleBytes == 0 ? "" : ", " + bytes(shuffleBytes / taken) + " shuffled",
                        t == warm ? " after the first epoch" : "",
                        100 * t.computeNanos / total,
                        100 * t.exchangeNanos / total,
                        100 * t.updateNanos / total,
                        total / t.steps / 1e6,
                        failedAttempts == 0 ? "" : "; " + Plural.of(failedAttempts, "failed task attempt") + " retried")
                + (csv == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "; the CSV parsed by the executors in %s, %,d rows moved to their partitions in %.2f s",
                                Plural.of(csv.ranges(), "byte range"),
                                csv.movedRows(),
                                csv.moveSeconds()));
    }

    /** Lets go of the run's cached rows (the executors keep what they opened for the JVM's life). */
    @Override
    public void close() {
        if (csv != null) {
            csv.close();
        }
    }

    /** Time spent computing, exchanging and updating over some steps. */
    private static final class TimeSplit {
        long steps;
        long computeNanos;
        long exchangeNanos;
        long updateNanos;

        void add(Timing t) {
            steps++;
            computeNanos += t.computeNanos();
            exchangeNanos += t.exchangeNanos();
            updateNanos += t.updateNanos();
        }
    }

    static String bytes(long b) {
        if (b < 10_000) {
            return b + " B";
        }
        return b < 10_000_000
                ? String.format(Locale.ROOT, "%.1f kB", b / 1e3)
                : String.format(Locale.ROOT, "%.1f MB", b / 1e6);
    }

    /** Opens the data and a worker in every partition and checks that they all see the same samples. */
    private List<ExecutorReport> setUp(ExecutorCache.Key unsized, int batch, int microBatch) {
        double[] weights = new double[parameters];
        driver.parameters(weights);
        Broadcast<double[]> shared = spark.broadcast(weights);
        List<ExecutorReport> reports;
        try {
            reports = partitions
                    .mapPartitionsWithIndex(
                            new SetUpTask(shared, unsized, batch, config.partitions(), microBatch, data), true)
                    .collect();
        } catch (Exception e) {
            throw SparkFailures.explained(e, "setting the run up");
        } finally {
            shared.destroy();
        }
        List<ExecutorReport> sorted = new ArrayList<>(reports);
        sorted.sort(Comparator.comparingInt(ExecutorReport::partition));
        for (ExecutorReport r : sorted) {
            if (r.problem() != null) {
                throw new InputException(r.problem() + " (partition " + r.partition() + ", executor " + r.executor()
                        + " on " + r.host() + ")");
            }
        }
        if (csv != null) { // the ranges were read for the model's widths
            return List.copyOf(sorted);
        }
        ExecutorReport first = sorted.get(0);
        for (ExecutorReport r : sorted) {
            if (r.samples() != first.samples()
                    || r.inputWidth() != first.inputWidth()
                    || r.targetWidth() != first.targetWidth()) {
                throw new InputException(data.describe() + ": partition " + r.partition() + " on executor "
                        + r.executor() + " sees " + r.samples() + " samples of " + r.inputWidth() + " + "
                        + r.targetWidth() + " values, partition 0 " + first.samples() + " of " + first.inputWidth()
                        + " + " + first.targetWidth() + "; every executor must open the same files");
            }
        }
        int inputs = driver.network().inputs();
        int outputs = driver.network().outputs();
        if (first.inputWidth() != inputs || first.targetWidth() != outputs) {
            throw new InputException(data.describe() + ": " + Plural.of(first.inputWidth(), "input") + " and "
                    + Plural.of(first.targetWidth(), "target") + " per sample, but the model takes "
                    + Plural.of(inputs, "input") + " and " + Plural.of(outputs, "target"));
        }
        return List.copyOf(sorted);
    }
}

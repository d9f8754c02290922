package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.data.SampleSource;
import dev.nabla.train.DistributedTraining;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingLoop;
import java.util.function.Consumer;

/**
 * {@code engine train --spark}: the connection to the cluster, and the run's steps on it. The
 * implementation ({@code engine-spark}) is found on the class path, so that the engine itself
 * carries nothing of Spark.
 */
final class ClusterTraining implements AutoCloseable {
    private final SparkOptions flags;
    private final DistributedTraining.Cluster cluster;
    private final Consumer<String> say;
    private DistributedTraining.Run run;

    private ClusterTraining(SparkOptions flags, DistributedTraining.Cluster cluster, Consumer<String> say) {
        this.flags = flags;
        this.cluster = cluster;
        this.say = say;
    }

    /** Connects to the master {@code flags} names, or null when the run is on this machine alone. */
    static ClusterTraining connect(SparkOptions flags, Consumer<String> say) {
        if (!flags.on()) {
            return null;
        }
        DistributedTraining spark = DistributedTraining.find("spark")
                .orElseThrow(() -> new InputException("--spark needs Nabla's Spark module and Spark on the class "
                        + "path: build with ./mvnw package and run bin/nabla, which adds them, or run under "
                        + "spark-submit with --jars engine-spark.jar"));
        ClusterTraining c = new ClusterTraining(flags, spark.connect(flags.master(), say), say);
        say.accept("cluster: " + c.cluster.describe());
        return c;
    }

    /**
     * The run's steps: every partition opens {@code data} and its trainer on {@code backend},
     * {@code driver} applies the updates; each partition's executor and backend are printed.
     */
    TrainingLoop.Steps start(
            Trainer driver, SampleSource data, TrainingLoop.Options options, int microBatch, String backend) {
        int parts = flags.partitions != null ? flags.partitions : cluster.defaultPartitions();
        run = cluster.start(driver, data, options, parts, backend, microBatch);
        for (String line : run.executors()) {
            say.accept("  " + line);
        }
        return run;
    }

    /** What the run's exchange moved and where its time went, once it has run. */
    String summary() {
        return run == null ? "" : run.summary();
    }

    @Override
    public void close() {
        cluster.close();
    }
}

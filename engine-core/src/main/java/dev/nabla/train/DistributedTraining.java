package dev.nabla.train;

import dev.nabla.data.SampleSource;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * Training spread over many machines, synchronous and data-parallel: each step's batch is cut
 * among partitions, each computes its part's gradient sums where its data lives, and one
 * {@link Trainer} (the driver's) adds them in partition order and applies the update. The steps
 * run inside {@link TrainingLoop}, so a distributed run takes the batches, learning rates,
 * checkpoints and resumptions of one machine's run. An implementation (Spark's, in
 * {@code engine-spark}) is found on the class path by {@link #find}.
 */
public interface DistributedTraining {

    /** The name that asks for this implementation ({@code "spark"}). */
    String name();

    /**
     * Connects to the cluster manager {@code master} (null: the one the launcher configured, as
     * {@code spark-submit --master} does), telling {@code log} what it found.
     */
    Cluster connect(String master, Consumer<String> log);

    /** A connection to a cluster; closing it releases the cluster's executors. */
    interface Cluster extends AutoCloseable {
        /** The cluster in one line: what runs it, its master, the partitions a run gets by default. */
        String describe();

        /** The partitions a run gets when it names none: one per core the cluster offers. */
        int defaultPartitions();

        /**
         * Sets up a run of {@code options} over {@code partitions} partitions: every partition's
         * executor opens {@code data} and a trainer on {@code backend} (a {@code Backends.select}
         * name, chosen per executor) in the driver's precision, for its parts of the batches (in
         * micro-batches of at most {@code microBatch}, 0 for as many as fit). {@code driver}
         * applies every step's update.
         */
        Run start(
                Trainer driver,
                SampleSource data,
                TrainingLoop.Options options,
                int partitions,
                String backend,
                int microBatch);

        @Override
        void close();
    }

    /** A distributed run's steps, for the {@link TrainingLoop} that takes {@link TrainingLoop.Steps}. */
    interface Run extends TrainingLoop.Steps {
        /** The samples the executors opened. */
        int samples();

        /** Where each partition runs and on which backend, a line each. */
        List<String> executors();

        /** The run's exchange so far in one line: bytes moved per step, time computing against exchanging. */
        String summary();
    }

    /** The implementation named {@code name} on the class path, if there is one. */
    static Optional<DistributedTraining> find(String name) {
        for (DistributedTraining d : ServiceLoader.load(DistributedTraining.class)) {
            if (d.name().equals(name)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}

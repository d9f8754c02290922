package dev.nabla.cli;

import dev.nabla.InputException;
import picocli.CommandLine.Option;

/** {@code engine train}'s flags for data-parallel training on Apache Spark. */
final class SparkOptions {
    /** What {@code --spark} without a master stands for: the master {@code spark-submit} set. */
    private static final String FROM_SUBMIT = "";

    @Option(
            names = "--spark",
            arity = "0..1",
            fallbackValue = FROM_SUBMIT,
            paramLabel = "MASTER",
            description = "Train data-parallel on Apache Spark, every other option meaning what it means on one "
                    + "machine: MASTER is local[N] (N threads here), spark://HOST:PORT, yarn or k8s://URL; "
                    + "without MASTER, the one spark-submit was given. bin/nabla puts Spark on the class path.")
    String spark;

    @Option(
            names = "--partitions",
            paramLabel = "N",
            description = "With --spark: the parts each batch is cut into, a task each (default: the cores the "
                    + "cluster offers).")
    Integer partitions;

    /** Whether the run is on Spark. */
    boolean on() {
        return spark != null;
    }

    /** The master to connect to, or null for the one the launcher configured. */
    String master() {
        return FROM_SUBMIT.equals(spark) ? null : spark;
    }

    void check() {
        if (partitions != null && spark == null) {
            throw new InputException("--partitions needs --spark");
        }
        if (partitions != null && partitions < 1) {
            throw new InputException("--partitions must be at least 1, not " + partitions);
        }
    }
}

package dev.nabla.spark;

import java.io.Serializable;

/**
 * What a step's task in one partition reads its samples from: the source every executor opens
 * itself ({@link Opened}), or the partition's rows of the epoch, moved to it through Spark
 * ({@link RowBlock}).
 */
sealed interface StepInput extends Serializable permits StepInput.Opened, RowBlock {
    /** Partition {@code partition}'s executor opens the run's source and reads the rows it needs. */
    record Opened(int partition) implements StepInput {}
}

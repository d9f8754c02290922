package dev.nabla.spark;

import java.io.Serializable;

/**
 * What one partition's task sends back for one step: its share of the batch's loss (its samples'
 * losses summed, divided by the batch size), the samples it classified right (0 for {@code mse}),
 * its gradient sums divided by the batch size ({@code Trainer.parameterCount}'s order; null when
 * the partition had no rows of this batch), how long it computed, and where.
 */
record PartResult(
        int partition,
        int attempt,
        int rows,
        double loss,
        long correct,
        double[] gradients,
        long computeNanos,
        String executor,
        String backend)
        implements Serializable {

    /** This result without its gradients: what the scalars' way to the driver carries. */
    PartResult withoutGradients() {
        return new PartResult(partition, attempt, rows, loss, correct, null, computeNanos, executor, backend);
    }

    /** The bytes of its payload: the gradients and the few numbers beside them. */
    long payloadBytes() {
        return (gradients == null ? 0 : 8L * gradients.length) + 40;
    }
}

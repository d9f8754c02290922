package dev.nabla.spark;

import dev.nabla.train.TrainingLoop;

/**
 * One distributed step: the step as one machine's {@code TrainingLoop} reports it, what moved
 * ({@code broadcastBytes}: the weights the driver broadcast, {@code resultBytes}: what the driver
 * received, {@code shuffleBytes}: what the executors sent each other, all payload sizes), and
 * where the time went: {@code computeNanos} the slowest partition's computation (weights loaded,
 * forward, backward, gradients copied out), {@code updateNanos} the driver's optimizer update, and
 * {@code exchangeNanos} the rest of the step's wall time ({@code wallNanos}): broadcasting,
 * scheduling, serializing, shuffling and adding the parts.
 */
public record StepReport(
        TrainingLoop.Step step,
        long broadcastBytes,
        long resultBytes,
        long shuffleBytes,
        long wallNanos,
        long computeNanos,
        long updateNanos,
        long exchangeNanos,
        int failedAttempts) {

    static StepReport of(TrainingLoop.Step step, SparkSteps.Timing t) {
        return new StepReport(
                step,
                t.broadcastBytes(),
                t.toDriverBytes(),
                t.shuffleBytes(),
                t.wallNanos(),
                t.computeNanos(),
                t.updateNanos(),
                t.exchangeNanos(),
                t.failedAttempts());
    }
}

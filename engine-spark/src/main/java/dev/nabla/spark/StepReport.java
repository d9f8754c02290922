package dev.nabla.spark;

import dev.nabla.train.TrainingLoop;

/**
 * One distributed step: the step as one machine's {@code TrainingLoop} reports it, what moved
 * ({@code broadcastBytes}: the weights the driver broadcast, {@code resultBytes}: the partitions'
 * results it collected, both payload sizes), and where the time went: {@code computeNanos} the
 * slowest partition's computation (weights loaded, forward, backward, gradients copied out),
 * {@code updateNanos} the driver's sum and optimizer update, and {@code exchangeNanos} the rest of
 * the step's wall time ({@code wallNanos}): broadcasting, scheduling, serializing and collecting.
 */
public record StepReport(
        TrainingLoop.Step step,
        long broadcastBytes,
        long resultBytes,
        long wallNanos,
        long computeNanos,
        long updateNanos,
        long exchangeNanos,
        int failedAttempts) {}

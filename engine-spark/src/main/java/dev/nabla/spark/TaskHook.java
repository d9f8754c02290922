package dev.nabla.spark;

import java.io.Serializable;

/**
 * Called in every step's task before it computes, with the step's number (from 1), the task's
 * partition and its attempt (from 0, {@code TaskContext.attemptNumber()}): for tests that make a
 * task fail, as a lost executor or a full disk would, to see Spark's retry give the same result.
 */
@FunctionalInterface
public interface TaskHook extends Serializable {
    /** The hook of every run outside the tests: it does nothing. */
    TaskHook NONE = (step, partition, attempt) -> {};

    /** Called by the task of {@code partition}, attempt {@code attempt}, of step {@code step}, before it computes. */
    void beforeStep(long step, int partition, int attempt);
}

package dev.nabla.train;

import dev.nabla.backend.Matrix;

/**
 * A batch kept on a trainer's backend by {@link Trainer#keep}, for steps that upload nothing
 * ({@link Trainer#queueStep}), with the recorded step that trains on it. Closing it frees its
 * matrices; closing the trainer closes it too.
 */
public final class ResidentBatch implements AutoCloseable {
    private final Trainer owner;
    final Matrix inputs;
    final Matrix targets;
    final RecordedStep step;

    ResidentBatch(Trainer owner, Matrix inputs, Matrix targets, RecordedStep step) {
        this.owner = owner;
        this.inputs = inputs;
        this.targets = targets;
        this.step = step;
    }

    /** The samples of the batch. */
    public int rows() {
        return inputs.rows();
    }

    Trainer owner() {
        return owner;
    }

    @Override
    public void close() {
        if (!owner.release(this)) {
            return;
        }
        step.close();
        targets.close();
        inputs.close();
    }
}

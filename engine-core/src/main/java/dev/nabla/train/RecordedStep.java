package dev.nabla.train;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Recording;

/**
 * One kind of training step, always on the same matrices: run directly the first time (which
 * sizes the backend's scratch memory), recorded the second ({@link Backend#record}) and replayed
 * after that while the learning rate stays the same; a new rate records again. On a GPU a replay is
 * one graph launch instead of one launch per operation.
 */
final class RecordedStep implements AutoCloseable {
    private final Backend backend;
    private Recording recording;
    private double rate;
    private boolean warm;

    RecordedStep(Backend backend) {
        this.backend = backend;
    }

    /** Queues the step: {@code body} is what it does with learning rate {@code lr}. */
    void run(double lr, Runnable body) {
        if (recording != null && rate == lr) {
            recording.replay();
            return;
        }
        if (!warm) {
            body.run();
            warm = true;
            return;
        }
        close();
        recording = backend.record(body);
        rate = lr;
        recording.replay();
    }

    @Override
    public void close() {
        if (recording != null) {
            recording.close();
            recording = null;
        }
    }
}

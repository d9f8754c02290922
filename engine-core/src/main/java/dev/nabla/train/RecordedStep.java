package dev.nabla.train;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Recording;

/**
 * One kind of training step, always on the same matrices: run directly the first time (which
 * sizes the backend's scratch memory), recorded the second ({@link Backend#record}) and replayed
 * after that. What changes from step to step (the batch, the learning rate and the optimizer's
 * bias corrections) is uploaded into the step's matrices before it runs, so one recording serves
 * every step. On a GPU a replay is one graph launch instead of one launch per operation. The
 * step's body is made once, so a step allocates nothing.
 */
final class RecordedStep implements AutoCloseable {
    private final Backend backend;
    private final Runnable body;
    private Recording recording;
    private boolean warm;

    /** {@code body} queues the step's operations. */
    RecordedStep(Backend backend, Runnable body) {
        this.backend = backend;
        this.body = body;
    }

    /** Queues the step. */
    void run() {
        if (recording != null) {
            recording.replay();
            return;
        }
        if (!warm) {
            body.run();
            warm = true;
            return;
        }
        recording = backend.record(body);
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

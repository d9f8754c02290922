package dev.nabla.train;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Recording;
import java.util.function.DoubleConsumer;

/**
 * One kind of training step, always on the same matrices: run directly the first time (which
 * sizes the backend's scratch memory), recorded the second ({@link Backend#record}) and replayed
 * after that while the learning rate stays the same; a new rate records again (a GPU graph holds
 * the rate as a kernel argument). On a GPU a replay is one graph launch instead of one launch per
 * operation. The step's body is made once, so a step allocates nothing.
 */
final class RecordedStep implements AutoCloseable {
    private final Backend backend;
    private final DoubleConsumer body;
    private Recording recording;
    private double rate;
    private boolean warm;

    /** {@code body.accept(lr)} queues the step's operations with learning rate {@code lr}. */
    RecordedStep(Backend backend, DoubleConsumer body) {
        this.backend = backend;
        this.body = body;
    }

    /** Queues the step with learning rate {@code lr}. */
    void run(double lr) {
        if (recording != null && rate == lr) {
            recording.replay();
            return;
        }
        if (!warm) {
            body.accept(lr);
            warm = true;
            return;
        }
        close();
        recording = backend.record(() -> body.accept(lr));
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

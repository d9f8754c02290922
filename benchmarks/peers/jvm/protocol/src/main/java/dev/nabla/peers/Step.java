package dev.nabla.peers;

/**
 * Nabla's training step as one library writes it: sigmoid layers without bias, the loss {@code
 * sum over the batch of 1/2 |t - o|^2, divided by the batch size}, plain SGD, the hidden deltas
 * computed with the weights from before the update.
 */
public interface Step extends AutoCloseable {
    /** One step from the current weights; returns its loss in Nabla's definition (above). */
    double step();

    /** {@code n} steps as fast as the library allows, finished when it returns. */
    default void run(int n) {
        for (int i = 0; i < n; i++) {
            step();
        }
    }

    /** Back to the loaded weights. */
    void reset();

    @Override
    default void close() {}
}

package dev.nabla.backend;

/**
 * Operations recorded by {@link Backend#record}, ready to be issued again as often as wanted.
 * Closing it frees what the recording holds (a GPU's graph); the matrices stay.
 */
public interface Recording extends AutoCloseable {
    /** Queues the recorded operations again, on the current contents of their matrices. */
    void replay();

    @Override
    void close();
}

package dev.nabla.cuda;

/**
 * A CUDA or cuBLAS call failed. The message names the operation, the shapes and precision it
 * ran on, the CUDA error, and the fix where there is one.
 */
public class CudaFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure said in {@code message}, caused by {@code cause} (JCuda's exception, say). */
    public CudaFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /** A failure said in {@code message}. */
    public CudaFailure(String message) {
        super(message);
    }
}

package dev.nabla.cuda;

/**
 * A CUDA or cuBLAS call failed. The message names the operation, the shapes and precision it
 * ran on, the CUDA error, and the fix where there is one.
 */
public class CudaFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CudaFailure(String message, Throwable cause) {
        super(message, cause);
    }

    public CudaFailure(String message) {
        super(message);
    }
}

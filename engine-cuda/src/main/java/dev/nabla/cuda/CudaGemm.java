package dev.nabla.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * Row-major {@code C = alpha * op(A) * op(B) + beta * C} on the backend's stream, with
 * {@code op(A)} {@code m x k}, {@code op(B)} {@code k x n}, and each {@code ld} the row length of
 * the stored matrix. Two implementations: cuBLAS, and Nabla's own kernel where cuBLAS is absent.
 * Called on the CUDA thread only.
 */
interface CudaGemm extends AutoCloseable {

    /** What serves matrix products, for reports. */
    String description();

    void gemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            double alpha,
            CUdeviceptr a,
            int lda,
            CUdeviceptr b,
            int ldb,
            double beta,
            CUdeviceptr c,
            int ldc);

    @Override
    void close();
}

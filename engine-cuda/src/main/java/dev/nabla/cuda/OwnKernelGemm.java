package dev.nabla.cuda;

import dev.nabla.backend.Precision;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/** Matrix products on Nabla's own tiled kernel ({@code gemm.cu}). */
final class OwnKernelGemm implements CudaGemm {
    /** Rows and columns of C per block; must match TILE in gemm.cu. */
    private static final int TILE = 64;

    private final KernelSet kernels;
    private final Precision precision;
    private final CUstream stream;
    private final String why;

    OwnKernelGemm(KernelSet kernels, Precision precision, CUstream stream, String why) {
        this.kernels = kernels;
        this.precision = precision;
        this.stream = stream;
        this.why = why;
    }

    @Override
    public String description() {
        return "Nabla's own GEMM kernels" + (why == null ? "" : " (" + why + ")");
    }

    @Override
    public void gemm(
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
            int ldc) {
        // One 16 x 16 block per 64 x 64 tile of C: grid x over the rows (up to 2^31 - 1 tiles), y over the columns.
        int gridX = Launch.ceilDiv(m, TILE);
        int gridY = Launch.ceilDiv(n, TILE);
        Launch.kernel(
                kernels.gemm,
                stream,
                gridX,
                gridY,
                16,
                16,
                args(precision, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc));
    }

    /** The arguments of {@code gemm_f64} or {@code gemm_f32}, in its order. */
    static Object[] args(
            Precision precision,
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
            int ldc) {
        return new Object[] {
            m,
            n,
            k,
            transA ? 1 : 0,
            transB ? 1 : 0,
            KernelArgs.scalar(precision, alpha),
            a,
            lda,
            b,
            ldb,
            KernelArgs.scalar(precision, beta),
            c,
            ldc
        };
    }

    @Override
    public void close() {
        // The kernel belongs to the process-wide module; nothing to free.
    }
}

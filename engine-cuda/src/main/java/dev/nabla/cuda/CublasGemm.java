package dev.nabla.cuda;

import static jcuda.jcublas.JCublas2.cublasCreate;
import static jcuda.jcublas.JCublas2.cublasDestroy;
import static jcuda.jcublas.JCublas2.cublasDgemm;
import static jcuda.jcublas.JCublas2.cublasGetVersion;
import static jcuda.jcublas.JCublas2.cublasSetMathMode;
import static jcuda.jcublas.JCublas2.cublasSetStream;
import static jcuda.jcublas.JCublas2.cublasSgemm;

import dev.nabla.backend.Precision;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.cudaStream_t;

/**
 * Matrix products through cuBLAS (JCublas2), on the backend's stream.
 *
 * <p>cuBLAS is column-major; a row-major {@code r x c} matrix is, to it, the column-major
 * {@code c x r} transpose. So the row-major {@code C = op(A) op(B)} is computed as the
 * column-major {@code C^T = op(B)^T op(A)^T}: the operands swap places, keep their transpose
 * flags, and every leading dimension is the stored row length.
 */
final class CublasGemm implements CudaGemm {
    private final cublasHandle handle = new cublasHandle();
    private final Precision precision;
    private final String version;
    private final double[] alphaD = new double[1];
    private final double[] betaD = new double[1];
    private final float[] alphaF = new float[1];
    private final float[] betaF = new float[1];

    CublasGemm(Precision precision, CUstream stream, String version) {
        this.precision = precision;
        this.version = version;
        JCublas2.setExceptionsEnabled(true);
        check(cublasCreate(handle), "cublasCreate");
        try {
            check(cublasSetStream(handle, new cudaStream_t(stream)), "cublasSetStream");
            if (precision == Precision.TF32) {
                // FP32 products whose inputs tensor cores may round to TF32's 10-bit mantissa.
                check(cublasSetMathMode(handle, cublasMath.CUBLAS_TF32_TENSOR_OP_MATH), "cublasSetMathMode");
            }
        } catch (RuntimeException e) {
            cublasDestroy(handle);
            throw e;
        }
    }

    /** Loads JCublas2 and cuBLAS, makes and destroys a handle, and returns cuBLAS's version. */
    static String probeVersion() {
        JCublas2.setExceptionsEnabled(true);
        cublasHandle h = new cublasHandle();
        check(cublasCreate(h), "cublasCreate");
        try {
            int[] v = new int[1];
            check(cublasGetVersion(h, v), "cublasGetVersion");
            return v[0] / 10000 + "." + (v[0] % 10000) / 100 + "." + v[0] % 100;
        } finally {
            cublasDestroy(h);
        }
    }

    @Override
    public String description() {
        return "cuBLAS " + version + (precision == Precision.TF32 ? " with TF32 tensor cores" : "");
    }

    /**
     * The arguments of the column-major call {@code C' = op(X) op(Y)} ({@code C'} is {@code m x n}
     * with leading dimension {@code ldc}) that computes a row-major product: {@code X} is the
     * row-major {@code B}, {@code Y} the row-major {@code A}.
     */
    record ColumnMajorCall(boolean transX, boolean transY, int m, int n, int k, int ldx, int ldy, int ldc) {}

    static ColumnMajorCall columnMajor(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {
        return new ColumnMajorCall(transB, transA, n, m, k, ldb, lda, ldc);
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
        ColumnMajorCall call = columnMajor(transA, transB, m, n, k, lda, ldb, ldc);
        int opX = call.transX() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opY = call.transY() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int status;
        if (precision == Precision.FP64) {
            alphaD[0] = alpha;
            betaD[0] = beta;
            status = cublasDgemm(
                    handle,
                    opX,
                    opY,
                    call.m(),
                    call.n(),
                    call.k(),
                    Pointer.to(alphaD),
                    b,
                    call.ldx(),
                    a,
                    call.ldy(),
                    Pointer.to(betaD),
                    c,
                    call.ldc());
        } else {
            alphaF[0] = (float) alpha;
            betaF[0] = (float) beta;
            status = cublasSgemm(
                    handle,
                    opX,
                    opY,
                    call.m(),
                    call.n(),
                    call.k(),
                    Pointer.to(alphaF),
                    b,
                    call.ldx(),
                    a,
                    call.ldy(),
                    Pointer.to(betaF),
                    c,
                    call.ldc());
        }
        check(status, precision == Precision.FP64 ? "cublasDgemm" : "cublasSgemm");
    }

    /** cuBLAS reports some failures only in its status; every status is checked here. */
    static void check(int status, String call) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new CudaFailure(call + " failed: " + cublasStatus.stringFor(status));
        }
    }

    @Override
    public void close() {
        cublasDestroy(handle);
    }
}

package dev.nabla.cpu;

/**
 * A CPU matrix product {@code c = alpha * op(a) * op(b) + beta * c}, row-major, {@code op(a)}
 * {@code m x k}: the plain loops of {@link Gemm} (always there, the oracle of the fast one), or
 * the Vector API kernel {@link VectorGemm}; {@link CpuKernels} chooses.
 */
interface GemmKernel {

    void fp64(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
            double[] b, double beta, double[] c);

    void fp32(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, float[] a,
            float[] b, double beta, float[] c);

    /** What it is, for the backend's description. */
    String description();
}

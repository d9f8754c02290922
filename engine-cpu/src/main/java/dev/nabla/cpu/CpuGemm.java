package dev.nabla.cpu;

/**
 * The CPU backend's matrix product {@code c = alpha * op(a) * op(b) + beta * c}, row-major,
 * {@code op(a)} {@code m x k}, one method per precision: {@link PlainGemm}'s plain loops (always
 * there, the oracle of the fast one), or {@link VectorGemm} with the Vector API; {@link CpuKernels}
 * chooses. An instance holds scratch buffers: it belongs to one backend.
 */
interface CpuGemm {

    void multiply(
            Parallel par,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            double alpha,
            double[] a,
            double[] b,
            double beta,
            double[] c);

    /** In FP32: products accumulated in float, {@code alpha} and {@code beta} rounded to float. */
    void multiply(
            Parallel par,
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            double alpha,
            float[] a,
            float[] b,
            double beta,
            float[] c);

    /** What it is, for the backend's description. */
    String description();
}

package dev.nabla.cpu;

/**
 * {@link VectorGemm} for the products where panels pay, {@link Gemm}'s plain loops for the
 * others (tiny or thin ones, such as a 2-unit layer's).
 */
final class VectorGemmKernel implements GemmKernel {
    private final VectorGemm vector = new VectorGemm();

    @Override
    public void fp64(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
            double[] b, double beta, double[] c) {
        if (VectorGemm.worthIt(m, n, k)) {
            vector.fp64(par, transA, transB, m, n, k, alpha, a, b, beta, c);
        } else {
            Gemm.fp64(par, transA, transB, m, n, k, alpha, a, b, beta, c);
        }
    }

    @Override
    public void fp32(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, float[] a,
            float[] b, double beta, float[] c) {
        if (VectorGemm.worthIt(m, n, k)) {
            vector.fp32(par, transA, transB, m, n, k, alpha, a, b, beta, c);
        } else {
            Gemm.fp32(par, transA, transB, m, n, k, alpha, a, b, beta, c);
        }
    }

    @Override
    public String description() {
        return "vectorized GEMM (" + 64 * VectorGemm.doubleLanes() + "-bit)";
    }
}

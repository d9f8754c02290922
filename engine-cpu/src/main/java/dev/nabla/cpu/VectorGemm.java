package dev.nabla.cpu;

/**
 * {@link CpuGemm} with the Vector API: the packed panels of {@link VectorGemmFp64} and
 * {@link VectorGemmFp32} for the products where they pay ({@link Panels#worthIt}), the plain loops
 * of {@link PlainGemmFp64} and {@link PlainGemmFp32} for the others (tiny or thin ones, such as a
 * 2-unit layer's). Loaded only where the JVM has module {@code jdk.incubator.vector}. Hand-written
 * because it is only the choice, once per precision.
 */
final class VectorGemm implements CpuGemm {
    private final VectorGemmFp64 panels64 = new VectorGemmFp64();
    private final VectorGemmFp32 panels32 = new VectorGemmFp32();
    private final PlainGemmFp64 plain64 = new PlainGemmFp64();
    private final PlainGemmFp32 plain32 = new PlainGemmFp32();

    @Override
    public void multiply(
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
            double[] c) {
        if (Panels.worthIt(m, n, k)) {
            panels64.multiply(par, transA, transB, m, n, k, alpha, a, b, beta, c);
        } else {
            plain64.multiply(par, transA, transB, m, n, k, alpha, a, b, beta, c);
        }
    }

    @Override
    public void multiply(
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
            float[] c) {
        if (Panels.worthIt(m, n, k)) {
            panels32.multiply(par, transA, transB, m, n, k, alpha, a, b, beta, c);
        } else {
            plain32.multiply(par, transA, transB, m, n, k, alpha, a, b, beta, c);
        }
    }

    /** Vector lanes of one double register: 8 with AVX-512, 4 with AVX2. */
    static int doubleLanes() {
        return VectorGemmFp64.NR / 2;
    }

    @Override
    public String description() {
        return "vectorized GEMM (" + 64 * doubleLanes() + "-bit)";
    }
}

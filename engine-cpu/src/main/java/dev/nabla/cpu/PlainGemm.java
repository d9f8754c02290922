package dev.nabla.cpu;

/**
 * {@link CpuGemm} in plain loops, {@link PlainGemmFp64} and {@link PlainGemmFp32}: what runs
 * where the JVM has no Vector API. Hand-written because it is only the two calls, one per
 * precision.
 */
final class PlainGemm implements CpuGemm {
    private final PlainGemmFp64 fp64 = new PlainGemmFp64();
    private final PlainGemmFp32 fp32 = new PlainGemmFp32();

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
        fp64.multiply(par, transA, transB, m, n, k, alpha, a, b, beta, c);
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
        fp32.multiply(par, transA, transB, m, n, k, alpha, a, b, beta, c);
    }

    @Override
    public String description() {
        return "plain-loop GEMM (start Java with --add-modules jdk.incubator.vector for the vectorized one)";
    }
}

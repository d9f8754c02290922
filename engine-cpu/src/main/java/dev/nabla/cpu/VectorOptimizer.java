package dev.nabla.cpu;

/**
 * {@link CpuOptimizer} with the Vector API, {@link VectorOptimizerFp64} and
 * {@link VectorOptimizerFp32}; loaded only where the JVM has module {@code jdk.incubator.vector}.
 * Hand-written because it is only the calls, one per precision.
 */
final class VectorOptimizer implements CpuOptimizer {

    @Override
    public void update(OptimizerStep s, double[] g, double[] p, double[] first, double[] second, int from, int to) {
        VectorOptimizerFp64.update(s, g, p, first, second, from, to);
    }

    @Override
    public void update(OptimizerStep s, float[] g, float[] p, float[] first, float[] second, int from, int to) {
        VectorOptimizerFp32.update(s, g, p, first, second, from, to);
    }
}

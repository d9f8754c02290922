package dev.nabla.cpu;

/**
 * {@link CpuOptimizer} with the Vector API: {@link VectorOptimizerFp64} for doubles; loaded only
 * where the JVM has module {@code jdk.incubator.vector}. FP32 takes the plain loop
 * ({@link PlainOptimizerFp32}): its math is in double, as every FP32 elementwise operation's is,
 * and widening float vectors to double ones ({@code convertShape}) boxed vectors in JDK 17's
 * compiled code (some 60 KB an mnist step on the calling thread) and, run in the same JVM, made the
 * other vector kernels box too. Hand-written because it is only the calls, one per precision.
 */
final class VectorOptimizer implements CpuOptimizer {

    @Override
    public void update(OptimizerStep s, double[] g, double[] p, double[] first, double[] second, int from, int to) {
        VectorOptimizerFp64.update(s, g, p, first, second, from, to);
    }

    @Override
    public void update(OptimizerStep s, float[] g, float[] p, float[] first, float[] second, int from, int to) {
        PlainOptimizerFp32.update(s, g, p, first, second, from, to); // see above
    }
}

package dev.nabla.cpu;

/**
 * {@link CpuOptimizer} in plain loops, {@link PlainOptimizerFp64} and {@link PlainOptimizerFp32}.
 * Hand-written because it is only the calls, one per precision.
 */
final class PlainOptimizer implements CpuOptimizer {

    @Override
    public void update(OptimizerStep s, double[] g, double[] p, double[] first, double[] second, int from, int to) {
        PlainOptimizerFp64.update(s, g, p, first, second, from, to);
    }

    @Override
    public void update(OptimizerStep s, float[] g, float[] p, float[] first, float[] second, int from, int to) {
        PlainOptimizerFp32.update(s, g, p, first, second, from, to);
    }
}

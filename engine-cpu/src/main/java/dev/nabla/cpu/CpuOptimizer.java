package dev.nabla.cpu;

/**
 * The optimizer update over a range of elements, one method per precision:
 * {@link PlainOptimizer} (plain loops, the oracle) or {@link VectorOptimizer} (the Vector API),
 * which give the same bits: the same operations in the same order, each exactly rounded (no
 * fused multiply-add; both square roots are correctly rounded). The math is
 * {@link dev.nabla.backend.Optimizer}'s, step by step.
 */
interface CpuOptimizer {

    /**
     * Updates {@code p[i]}, and the states the rule keeps ({@code first}: the velocity or Adam's
     * {@code m}; {@code second}: Adam's {@code v}; null where not kept), for {@code i} in
     * {@code [from, to)}, from the gradient {@code g[i]}, which is not changed.
     */
    void update(OptimizerStep s, double[] g, double[] p, double[] first, double[] second, int from, int to);

    void update(OptimizerStep s, float[] g, float[] p, float[] first, float[] second, int from, int to);
}

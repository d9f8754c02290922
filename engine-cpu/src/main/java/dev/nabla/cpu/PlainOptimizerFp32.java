// Generated from engine-cpu/src/main/templates/dev/nabla/cpu/PlainOptimizerFpN.java.template by PrecisionTemplates; edit the template, then run: java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java
package dev.nabla.cpu;

/**
 * The optimizer update over a range of floats, element by element, as
 * {@link dev.nabla.backend.Optimizer} writes the math, step by step and in that order: what
 * {@link PlainOptimizer} runs (and {@link VectorOptimizer} in FP32), and in FP64 the oracle
 * {@link VectorOptimizerFp64} is tested against bit for bit. Every element is computed in double
 * from the stored values and each result (the parameter, each state) rounded once to the element
 * type.
 */
final class PlainOptimizerFp32 {
    private PlainOptimizerFp32() {
    }

    /** {@link CpuOptimizer#update}: the loop {@code s.rule} needs. */
    static void update(OptimizerStep s, float[] g, float[] p, float[] first, float[] second, int from, int to) {
        switch (s.rule) {
            case SGD -> sgd(s, g, p, from, to);
            case MOMENTUM -> momentum(s, g, p, first, from, to);
            case ADAM -> adam(s, g, p, first, second, from, to);
        }
    }

    /** {@code g = g + l2 p; p = p - lr g}. */
    static void sgd(OptimizerStep s, float[] g, float[] p, int from, int to) {
        double lr = s.lr;
        double l2 = s.l2;
        for (int i = from; i < to; i++) {
            double gi = g[i];
            if (l2 != 0.0d) {
                gi = gi + l2 * p[i];
            }
            p[i] = (float) (p[i] - lr * gi);
        }
    }

    /** {@code g = g + l2 p; v = mu v + g; g = nesterov ? g + mu v : v; p = p - lr g}. */
    static void momentum(OptimizerStep s, float[] g, float[] p, float[] v, int from, int to) {
        double lr = s.lr;
        double l2 = s.l2;
        double mu = s.momentum;
        boolean nesterov = s.nesterov;
        for (int i = from; i < to; i++) {
            double gi = g[i];
            if (l2 != 0.0d) {
                gi = gi + l2 * p[i];
            }
            double vi = mu * v[i] + gi;
            v[i] = (float) vi;
            double step = nesterov ? gi + mu * vi : vi;
            p[i] = (float) (p[i] - lr * step);
        }
    }

    /**
     * {@code g = g + l2 p} (Adam); {@code p = p - lr wd p} (AdamW); {@code m = beta1 m + (1 - beta1) g};
     * {@code v = beta2 v + (1 - beta2) g^2}; {@code p = p - lr (m / c1) / (sqrt(v / c2) + eps)}.
     */
    static void adam(OptimizerStep s, float[] g, float[] p, float[] m, float[] v, int from, int to) {
        double lr = s.lr;
        double l2 = s.l2;
        double decay = s.decoupledDecay;
        double beta1 = s.beta1;
        double beta2 = s.beta2;
        double oneMinusBeta1 = s.oneMinusBeta1;
        double oneMinusBeta2 = s.oneMinusBeta2;
        double c1 = s.correction1;
        double c2 = s.correction2;
        double eps = s.eps;
        for (int i = from; i < to; i++) {
            double gi = g[i];
            double pi = p[i];
            if (l2 != 0.0d) {
                gi = gi + l2 * pi;
            }
            if (decay != 0.0d) {
                pi = pi - lr * decay * pi;
            }
            double mi = beta1 * m[i] + oneMinusBeta1 * gi;
            double vi = beta2 * v[i] + oneMinusBeta2 * (gi * gi);
            m[i] = (float) mi;
            v[i] = (float) vi;
            p[i] = (float) (pi - lr * (mi / c1) / (Math.sqrt(vi / c2) + eps));
        }
    }
}

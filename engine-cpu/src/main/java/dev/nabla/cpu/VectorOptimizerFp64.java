package dev.nabla.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The optimizer update over a range of doubles with the Vector API, a vector of elements at a
 * time, computing in double lanes exactly what {@link PlainOptimizerFp64} computes: the same
 * operations in the same order (multiplications and additions, never fused; a division; the
 * square root, correctly rounded in both), so that the two give the same bits. The elements past
 * the last whole vector take the plain loop itself. FP64 only, so written by hand rather than from
 * a precision template: see {@link VectorOptimizer} for FP32.
 */
final class VectorOptimizerFp64 {
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;

    private VectorOptimizerFp64() {
    }

    /** {@link CpuOptimizer#update}: whole vectors here, the rest through the plain loop. */
    static void update(OptimizerStep s, double[] g, double[] p, double[] first, double[] second, int from, int to) {
        int whole = from + DS.loopBound(to - from);
        switch (s.rule) {
            case SGD -> {
                for (int i = from; i < whole; i += DS.length()) {
                    sgd(s, g, p, i);
                }
            }
            case MOMENTUM -> {
                for (int i = from; i < whole; i += DS.length()) {
                    momentum(s, g, p, first, i);
                }
            }
            case ADAM -> {
                for (int i = from; i < whole; i += DS.length()) {
                    adam(s, g, p, first, second, i);
                }
            }
        }
        PlainOptimizerFp64.update(s, g, p, first, second, whole, to);
    }

    /**
     * The vector at {@code a[i ..]}, in double lanes. Each per-vector method takes and gives arrays
     * (see {@link VectorActivationsFp64}): its vectors never leave it, so the JIT keeps them in
     * registers however the loop is entered.
     */
    private static DoubleVector load(double[] a, int i) {
        return DoubleVector.fromArray(DS, a, i);
    }

    /** {@code a[i ..] = x}, each lane rounded once to the element type. */
    private static void store(DoubleVector x, double[] a, int i) {
        x.intoArray(a, i);
    }

    /** {@link PlainOptimizerFp64#sgd} for the vector at {@code i}. */
    private static void sgd(OptimizerStep s, double[] g, double[] p, int i) {
        DoubleVector gv = load(g, i);
        DoubleVector pv = load(p, i);
        if (s.l2 != 0.0d) {
            gv = gv.add(pv.mul(s.l2));
        }
        store(pv.sub(gv.mul(s.lr)), p, i);
    }

    /** {@link PlainOptimizerFp64#momentum} for the vector at {@code i}. */
    private static void momentum(OptimizerStep s, double[] g, double[] p, double[] v, int i) {
        DoubleVector gv = load(g, i);
        DoubleVector pv = load(p, i);
        if (s.l2 != 0.0d) {
            gv = gv.add(pv.mul(s.l2));
        }
        DoubleVector vv = load(v, i).mul(s.momentum).add(gv);
        store(vv, v, i);
        DoubleVector step = s.nesterov ? gv.add(vv.mul(s.momentum)) : vv;
        store(pv.sub(step.mul(s.lr)), p, i);
    }

    /** {@link PlainOptimizerFp64#adam} for the vector at {@code i}. */
    private static void adam(OptimizerStep s, double[] g, double[] p, double[] m, double[] v, int i) {
        DoubleVector gv = load(g, i);
        DoubleVector pv = load(p, i);
        if (s.l2 != 0.0d) {
            gv = gv.add(pv.mul(s.l2));
        }
        if (s.decoupledDecay != 0.0d) {
            pv = pv.sub(pv.mul(s.lr * s.decoupledDecay)); // lr * decay * p, as the plain loop groups it
        }
        DoubleVector mv = load(m, i).mul(s.beta1).add(gv.mul(s.oneMinusBeta1));
        DoubleVector vv = load(v, i).mul(s.beta2).add(gv.mul(gv).mul(s.oneMinusBeta2));
        store(mv, m, i);
        store(vv, v, i);
        DoubleVector denominator = vv.div(s.correction2).sqrt().add(s.eps);
        store(pv.sub(mv.div(s.correction1).mul(s.lr).div(denominator)), p, i);
    }
}

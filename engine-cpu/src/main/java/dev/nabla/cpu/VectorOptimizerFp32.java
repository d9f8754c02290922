// Generated from engine-cpu/src/main/templates/dev/nabla/cpu/VectorOptimizerFpN.java.template by PrecisionTemplates; edit the template, then run: java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java
package dev.nabla.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The optimizer update over a range of floats with the Vector API, a vector of elements at a
 * time, computing in double lanes exactly what {@link PlainOptimizerFp32} computes: the same
 * operations in the same order (multiplications and additions, never fused; a division; the
 * square root, correctly rounded in both), so that the two give the same bits. The elements past
 * the last whole vector take the plain loop itself.
 * The floats are widened to doubles as they are loaded (a float vector of as many lanes as a
 * preferred double vector) and rounded once as they are stored, as the plain loop does.
 */
final class VectorOptimizerFp32 {
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    /** Floats of as many lanes as {@link #DS}: half its bits. */
    private static final VectorSpecies<Float> FS =
            VectorSpecies.of(float.class, VectorShape.forBitSize(DS.vectorBitSize() / 2));

    private VectorOptimizerFp32() {
    }

    /** {@link CpuOptimizer#update}: whole vectors here, the rest through the plain loop. */
    static void update(OptimizerStep s, float[] g, float[] p, float[] first, float[] second, int from, int to) {
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
        PlainOptimizerFp32.update(s, g, p, first, second, whole, to);
    }

    /**
     * The vector at {@code a[i ..]}, in double lanes. Each per-vector method takes and gives arrays
     * (see {@link VectorActivationsFp32}): its vectors never leave it, so the JIT keeps them in
     * registers however the loop is entered.
     */
    private static DoubleVector load(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(FS, a, i).convertShape(VectorOperators.F2D, DS, 0);
    }

    /** {@code a[i ..] = x}, each lane rounded once to the element type. */
    private static void store(DoubleVector x, float[] a, int i) {
        ((FloatVector) x.convertShape(VectorOperators.D2F, FS, 0)).intoArray(a, i);
    }

    /** {@link PlainOptimizerFp32#sgd} for the vector at {@code i}. */
    private static void sgd(OptimizerStep s, float[] g, float[] p, int i) {
        DoubleVector gv = load(g, i);
        DoubleVector pv = load(p, i);
        if (s.l2 != 0.0d) {
            gv = gv.add(pv.mul(s.l2));
        }
        store(pv.sub(gv.mul(s.lr)), p, i);
    }

    /** {@link PlainOptimizerFp32#momentum} for the vector at {@code i}. */
    private static void momentum(OptimizerStep s, float[] g, float[] p, float[] v, int i) {
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

    /** {@link PlainOptimizerFp32#adam} for the vector at {@code i}. */
    private static void adam(OptimizerStep s, float[] g, float[] p, float[] m, float[] v, int i) {
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

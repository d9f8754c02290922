// Generated from engine-cpu/src/main/templates/dev/nabla/cpu/VectorActivationsFpN.java.template by PrecisionTemplates; edit the template, then run: java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java
package dev.nabla.cpu;

import dev.nabla.backend.Activation;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activation functions over a range of doubles with the Vector API, a vector of elements at a
 * time, with the same formulas as {@link Activation}, from exactly rounded operations only, so
 * that every JIT tier gives the same bits: sigmoid through {@link VectorSigmoidFp64}'s own
 * exponential; tanh takes {@link Math#tanh} element by element (the JDK's vector {@code tanh} and
 * {@code exp} give other last bits interpreted than compiled). Whole vectors are loaded and stored
 * unmasked; a range's last, partial vector goes through a thread's scratch vector and is computed
 * lane by lane the same way, so every element is computed the same way however the elements are
 * split. (Masked loads near an array's end take the Vector API's scalar fallback, and once the JIT
 * has seen them it boxes every vector of the loop.)
 */
final class VectorActivationsFp64 {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    /** Each thread's scratch for a range's last, partial vector. */
    private static final ThreadLocal<Tail> TAIL = ThreadLocal.withInitial(Tail::new);

    /** One vector for each of the inputs. */
    private static final class Tail {
        final double[] x = new double[SPECIES.length()];
        final double[] y = new double[SPECIES.length()];
    }

    private VectorActivationsFp64() {
    }

    /** {@code a[i] = f(z[i])} for {@code i} in {@code [from, to)}; {@code a} may be {@code z}. */
    static void forward(Activation f, double[] z, double[] a, int from, int to) {
        switch (f) {
            case SIGMOID -> VectorSigmoidFp64.forward(z, a, from, to);
            case TANH -> PlainActivationsFp64.forward(f, z, a, from, to); // Math.tanh: the same bits in every JIT tier
            default -> {
                boolean relu = f == Activation.RELU;
                int whole = from + SPECIES.loopBound(to - from);
                for (int i = from; i < whole; i += SPECIES.length()) {
                    piecewiseLinear(relu, z, a, i);
                }
                if (whole < to) {
                    double[] tail = TAIL.get().x;
                    System.arraycopy(z, whole, tail, 0, to - whole);
                    piecewiseLinear(relu, tail, tail, 0);
                    System.arraycopy(tail, 0, a, whole, to - whole);
                }
            }
        }
    }

    /**
     * Relu or identity of the one vector at {@code z[i ..]}. Each vector operation here takes and
     * gives arrays, and the partial last vector calls it directly rather than through the loop:
     * a loop the JIT compiled for long ranges, entered for one vector at a time, boxed its vectors.
     */
    private static void piecewiseLinear(boolean relu, double[] z, double[] a, int i) {
        DoubleVector v = DoubleVector.fromArray(SPECIES, z, i);
        (relu ? v.max(DoubleVector.zero(SPECIES)) : v).intoArray(a, i);
    }

    /** {@code delta[i] = g[i] * f'(a[i])} for {@code i} in {@code [from, to)}; {@code delta} may be {@code g}. */
    static void backward(Activation f, double[] a, double[] g, double[] delta, int from, int to) {
        int whole = from + SPECIES.loopBound(to - from);
        for (int i = from; i < whole; i += SPECIES.length()) {
            derivative(f, a, g, delta, i);
        }
        if (whole < to) {
            Tail tail = TAIL.get();
            System.arraycopy(a, whole, tail.x, 0, to - whole);
            System.arraycopy(g, whole, tail.y, 0, to - whole);
            derivative(f, tail.x, tail.y, tail.y, 0);
            System.arraycopy(tail.y, 0, delta, whole, to - whole);
        }
    }

    /** {@code delta[i ..] = g[i ..] * f'(a[i ..])} for the one vector at {@code i} (see {@link #piecewiseLinear}). */
    private static void derivative(Activation f, double[] a, double[] g, double[] delta, int i) {
        DoubleVector av = DoubleVector.fromArray(SPECIES, a, i);
        DoubleVector gv = DoubleVector.fromArray(SPECIES, g, i);
        DoubleVector d = switch (f) {
            case SIGMOID -> gv.mul(av.mul(av.broadcast(1.0).sub(av)));
            case TANH -> gv.mul(av.broadcast(1.0).sub(av.mul(av)));
            case RELU -> gv.blend(av.broadcast(0.0), av.compare(VectorOperators.LE, 0.0));
            default -> gv;
        };
        d.intoArray(delta, i);
    }
}

// Generated from engine-cpu/src/main/templates/dev/nabla/cpu/VectorActivationsFpN.java.template by PrecisionTemplates; edit the template, then run: java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java
package dev.nabla.cpu;

import dev.nabla.backend.Activation;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activation functions over a range of doubles with the Vector API, a vector of elements at a
 * time, with the same formulas as {@link Activation}, from exactly rounded operations only, so
 * that every JIT tier gives the same bits: sigmoid through {@link VectorSigmoidFp64}'s own
 * exponential; tanh takes {@link Math#tanh} element by element (the JDK's vector {@code tanh} and
 * {@code exp} give other last bits interpreted than compiled). A range's tail is a masked vector,
 * so every element is computed the same way however the elements are split.
 */
final class VectorActivationsFp64 {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;

    private VectorActivationsFp64() {
    }

    /** {@code a[i] = f(z[i])} for {@code i} in {@code [from, to)}. */
    static void forward(Activation f, double[] z, double[] a, int from, int to) {
        switch (f) {
            case SIGMOID -> VectorSigmoidFp64.forward(z, a, from, to);
            case TANH -> PlainActivationsFp64.forward(f, z, a, from, to); // Math.tanh: the same bits in every JIT tier
            default -> {
                DoubleVector zero = DoubleVector.zero(SPECIES);
                for (int i = from; i < to; i += SPECIES.length()) {
                    VectorMask<Double> in = SPECIES.indexInRange(i, to);
                    DoubleVector v = DoubleVector.fromArray(SPECIES, z, i, in);
                    (f == Activation.RELU ? v.max(zero) : v).intoArray(a, i, in);
                }
            }
        }
    }

    /** {@code delta[i] = g[i] * f'(a[i])} for {@code i} in {@code [from, to)}. */
    static void backward(Activation f, double[] a, double[] g, double[] delta, int from, int to) {
        DoubleVector one = DoubleVector.broadcast(SPECIES, 1.0);
        DoubleVector zero = DoubleVector.zero(SPECIES);
        for (int i = from; i < to; i += SPECIES.length()) {
            VectorMask<Double> in = SPECIES.indexInRange(i, to);
            DoubleVector av = DoubleVector.fromArray(SPECIES, a, i, in);
            DoubleVector gv = DoubleVector.fromArray(SPECIES, g, i, in);
            DoubleVector d = switch (f) {
                case SIGMOID -> gv.mul(av.mul(one.sub(av)));
                case TANH -> gv.mul(one.sub(av.mul(av)));
                case RELU -> gv.blend(zero, av.compare(VectorOperators.LE, zero));
                default -> gv;
            };
            d.intoArray(delta, i, in);
        }
    }
}

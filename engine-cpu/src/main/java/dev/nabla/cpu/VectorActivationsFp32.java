// Generated from engine-cpu/src/main/templates/dev/nabla/cpu/VectorActivationsFpN.java.template by PrecisionTemplates; edit the template, then run: java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java
package dev.nabla.cpu;

import dev.nabla.backend.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activation functions over a range of floats with the Vector API, a vector of elements at a
 * time, with the same formulas as {@link Activation}, from exactly rounded operations only, so
 * that every JIT tier gives the same bits: sigmoid through {@link VectorSigmoidFp32}'s own
 * exponential; tanh takes {@link Math#tanh} element by element (the JDK's vector {@code tanh} and
 * {@code exp} give other last bits interpreted than compiled). A range's tail is a masked vector,
 * so every element is computed the same way however the elements are split.
 */
final class VectorActivationsFp32 {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorActivationsFp32() {
    }

    /** {@code a[i] = f(z[i])} for {@code i} in {@code [from, to)}. */
    static void forward(Activation f, float[] z, float[] a, int from, int to) {
        switch (f) {
            case SIGMOID -> VectorSigmoidFp32.forward(z, a, from, to);
            case TANH -> PlainActivationsFp32.forward(f, z, a, from, to); // Math.tanh: the same bits in every JIT tier
            default -> {
                FloatVector zero = FloatVector.zero(SPECIES);
                for (int i = from; i < to; i += SPECIES.length()) {
                    VectorMask<Float> in = SPECIES.indexInRange(i, to);
                    FloatVector v = FloatVector.fromArray(SPECIES, z, i, in);
                    (f == Activation.RELU ? v.max(zero) : v).intoArray(a, i, in);
                }
            }
        }
    }

    /** {@code delta[i] = g[i] * f'(a[i])} for {@code i} in {@code [from, to)}. */
    static void backward(Activation f, float[] a, float[] g, float[] delta, int from, int to) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1.0f);
        FloatVector zero = FloatVector.zero(SPECIES);
        for (int i = from; i < to; i += SPECIES.length()) {
            VectorMask<Float> in = SPECIES.indexInRange(i, to);
            FloatVector av = FloatVector.fromArray(SPECIES, a, i, in);
            FloatVector gv = FloatVector.fromArray(SPECIES, g, i, in);
            FloatVector d = switch (f) {
                case SIGMOID -> gv.mul(av.mul(one.sub(av)));
                case TANH -> gv.mul(one.sub(av.mul(av)));
                case RELU -> gv.blend(zero, av.compare(VectorOperators.LE, zero));
                default -> gv;
            };
            d.intoArray(delta, i, in);
        }
    }
}

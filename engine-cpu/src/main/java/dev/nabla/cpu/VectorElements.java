package dev.nabla.cpu;

import dev.nabla.backend.Activation;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activation functions with the Vector API, a vector of elements at a time, with the same
 * formulas as {@link Activation}, from exactly rounded operations only, so that every JIT tier
 * gives the same bits: sigmoid through {@link VectorSigmoid}'s own exponential; tanh takes
 * {@link Math#tanh} element by element (the JDK's vector {@code tanh} and {@code exp} give other
 * last bits interpreted than compiled). A range's tail is a masked vector, so every element is
 * computed the same way however the elements are split.
 */
final class VectorElements implements ElementKernel {
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;

    @Override
    public void forward(Activation f, double[] z, double[] a, int from, int to) {
        switch (f) {
            case SIGMOID -> VectorSigmoid.forward(z, a, from, to);
            case TANH -> PLAIN.forward(f, z, a, from, to); // Math.tanh: the same bits in every JIT tier
            default -> {
                DoubleVector zero = DoubleVector.zero(DS);
                for (int i = from; i < to; i += DS.length()) {
                    VectorMask<Double> in = DS.indexInRange(i, to);
                    DoubleVector v = DoubleVector.fromArray(DS, z, i, in);
                    (f == Activation.RELU ? v.max(zero) : v).intoArray(a, i, in);
                }
            }
        }
    }

    @Override
    public void forward(Activation f, float[] z, float[] a, int from, int to) {
        switch (f) {
            case SIGMOID -> VectorSigmoid.forward(z, a, from, to);
            case TANH -> PLAIN.forward(f, z, a, from, to); // Math.tanh: the same bits in every JIT tier
            default -> {
                FloatVector zero = FloatVector.zero(FS);
                for (int i = from; i < to; i += FS.length()) {
                    VectorMask<Float> in = FS.indexInRange(i, to);
                    FloatVector v = FloatVector.fromArray(FS, z, i, in);
                    (f == Activation.RELU ? v.max(zero) : v).intoArray(a, i, in);
                }
            }
        }
    }

    @Override
    public void backward(Activation f, double[] a, double[] g, double[] delta, int from, int to) {
        DoubleVector one = DoubleVector.broadcast(DS, 1.0);
        DoubleVector zero = DoubleVector.zero(DS);
        for (int i = from; i < to; i += DS.length()) {
            VectorMask<Double> in = DS.indexInRange(i, to);
            DoubleVector av = DoubleVector.fromArray(DS, a, i, in);
            DoubleVector gv = DoubleVector.fromArray(DS, g, i, in);
            DoubleVector d = switch (f) {
                case SIGMOID -> gv.mul(av.mul(one.sub(av)));
                case TANH -> gv.mul(one.sub(av.mul(av)));
                case RELU -> gv.blend(zero, av.compare(VectorOperators.LE, zero));
                default -> gv;
            };
            d.intoArray(delta, i, in);
        }
    }

    @Override
    public void backward(Activation f, float[] a, float[] g, float[] delta, int from, int to) {
        FloatVector one = FloatVector.broadcast(FS, 1.0f);
        FloatVector zero = FloatVector.zero(FS);
        for (int i = from; i < to; i += FS.length()) {
            VectorMask<Float> in = FS.indexInRange(i, to);
            FloatVector av = FloatVector.fromArray(FS, a, i, in);
            FloatVector gv = FloatVector.fromArray(FS, g, i, in);
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

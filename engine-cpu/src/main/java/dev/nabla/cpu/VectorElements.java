package dev.nabla.cpu;

import dev.nabla.backend.Activation;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activation functions with the Vector API: the same formulas as {@link Activation}, a vector
 * of elements at a time ({@code exp} and {@code tanh} by the JDK's vector math, which may differ
 * from {@link Math#exp} in the last bit). A range's tail is a masked vector, not a scalar loop, so
 * every element is computed the same way however the elements are split among threads.
 */
final class VectorElements implements ElementKernel {
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;

    @Override
    public void forward(Activation f, double[] z, double[] a, int from, int to) {
        DoubleVector one = DoubleVector.broadcast(DS, 1.0);
        DoubleVector zero = DoubleVector.zero(DS);
        for (int i = from; i < to; i += DS.length()) {
            VectorMask<Double> in = DS.indexInRange(i, to);
            DoubleVector v = DoubleVector.fromArray(DS, z, i, in);
            switch (f) {
                case SIGMOID -> v = one.div(v.neg().lanewise(VectorOperators.EXP).add(one));
                case TANH -> v = v.lanewise(VectorOperators.TANH);
                case RELU -> v = v.max(zero);
                default -> { }
            }
            v.intoArray(a, i, in);
        }
    }

    @Override
    public void forward(Activation f, float[] z, float[] a, int from, int to) {
        FloatVector one = FloatVector.broadcast(FS, 1.0f);
        FloatVector zero = FloatVector.zero(FS);
        for (int i = from; i < to; i += FS.length()) {
            VectorMask<Float> in = FS.indexInRange(i, to);
            FloatVector v = FloatVector.fromArray(FS, z, i, in);
            switch (f) {
                case SIGMOID -> v = one.div(v.neg().lanewise(VectorOperators.EXP).add(one));
                case TANH -> v = v.lanewise(VectorOperators.TANH);
                case RELU -> v = v.max(zero);
                default -> { }
            }
            v.intoArray(a, i, in);
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

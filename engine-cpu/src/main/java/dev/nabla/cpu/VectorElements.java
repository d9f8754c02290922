package dev.nabla.cpu;

import dev.nabla.backend.Activation;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The activation functions with the Vector API: the same formulas as {@link Activation}, a vector
 * of elements at a time ({@code exp} and {@code tanh} by the JDK's vector math, which may differ
 * from {@link Math#exp} in the last bit), the tail element by element.
 */
final class VectorElements implements ElementKernel {
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;

    @Override
    public void forward(Activation f, double[] z, double[] a, int from, int to) {
        int i = from;
        int end = from + DS.loopBound(to - from);
        DoubleVector one = DoubleVector.broadcast(DS, 1.0);
        DoubleVector zero = DoubleVector.zero(DS);
        for (; i < end; i += DS.length()) {
            DoubleVector v = DoubleVector.fromArray(DS, z, i);
            switch (f) {
                case SIGMOID -> v = one.div(v.neg().lanewise(VectorOperators.EXP).add(one));
                case TANH -> v = v.lanewise(VectorOperators.TANH);
                case RELU -> v = v.max(zero);
                default -> { }
            }
            v.intoArray(a, i);
        }
        PLAIN.forward(f, z, a, i, to);
    }

    @Override
    public void forward(Activation f, float[] z, float[] a, int from, int to) {
        int i = from;
        int end = from + FS.loopBound(to - from);
        FloatVector one = FloatVector.broadcast(FS, 1.0f);
        FloatVector zero = FloatVector.zero(FS);
        for (; i < end; i += FS.length()) {
            FloatVector v = FloatVector.fromArray(FS, z, i);
            switch (f) {
                case SIGMOID -> v = one.div(v.neg().lanewise(VectorOperators.EXP).add(one));
                case TANH -> v = v.lanewise(VectorOperators.TANH);
                case RELU -> v = v.max(zero);
                default -> { }
            }
            v.intoArray(a, i);
        }
        PLAIN.forward(f, z, a, i, to);
    }

    @Override
    public void backward(Activation f, double[] a, double[] g, double[] delta, int from, int to) {
        int i = from;
        int end = from + DS.loopBound(to - from);
        DoubleVector one = DoubleVector.broadcast(DS, 1.0);
        DoubleVector zero = DoubleVector.zero(DS);
        for (; i < end; i += DS.length()) {
            DoubleVector av = DoubleVector.fromArray(DS, a, i);
            DoubleVector gv = DoubleVector.fromArray(DS, g, i);
            DoubleVector d = switch (f) {
                case SIGMOID -> gv.mul(av.mul(one.sub(av)));
                case TANH -> gv.mul(one.sub(av.mul(av)));
                case RELU -> gv.blend(zero, av.compare(VectorOperators.LE, zero));
                default -> gv;
            };
            d.intoArray(delta, i);
        }
        PLAIN.backward(f, a, g, delta, i, to);
    }

    @Override
    public void backward(Activation f, float[] a, float[] g, float[] delta, int from, int to) {
        int i = from;
        int end = from + FS.loopBound(to - from);
        FloatVector one = FloatVector.broadcast(FS, 1.0f);
        FloatVector zero = FloatVector.zero(FS);
        for (; i < end; i += FS.length()) {
            FloatVector av = FloatVector.fromArray(FS, a, i);
            FloatVector gv = FloatVector.fromArray(FS, g, i);
            FloatVector d = switch (f) {
                case SIGMOID -> gv.mul(av.mul(one.sub(av)));
                case TANH -> gv.mul(one.sub(av.mul(av)));
                case RELU -> gv.blend(zero, av.compare(VectorOperators.LE, zero));
                default -> gv;
            };
            d.intoArray(delta, i);
        }
        PLAIN.backward(f, a, g, delta, i, to);
    }
}

package dev.nabla.cpu;

import dev.nabla.backend.Activation;

/**
 * The activation functions over a range of elements, one method per precision:
 * {@link PlainActivations} through {@link Activation}'s own definitions, or
 * {@link VectorActivations} with the Vector API where the JVM has it.
 */
interface CpuActivations {

    /** {@code a[i] = f(z[i])} for {@code i} in {@code [from, to)}. */
    void forward(Activation f, double[] z, double[] a, int from, int to);

    void forward(Activation f, float[] z, float[] a, int from, int to);

    /** {@code delta[i] = g[i] * f'(a[i])} for {@code i} in {@code [from, to)}. */
    void backward(Activation f, double[] a, double[] g, double[] delta, int from, int to);

    void backward(Activation f, float[] a, float[] g, float[] delta, int from, int to);
}

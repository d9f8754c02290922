package dev.nabla.cpu;

import dev.nabla.backend.Activation;

/**
 * The activation functions over a range of elements: plain loops through {@link Activation}'s own
 * definitions ({@link #PLAIN}), or {@link VectorElements} with the Vector API where the JVM has it.
 */
interface ElementKernel {

    /** {@code a[i] = f(z[i])} for {@code i} in {@code [from, to)}. */
    void forward(Activation f, double[] z, double[] a, int from, int to);

    void forward(Activation f, float[] z, float[] a, int from, int to);

    /** {@code delta[i] = g[i] * f'(a[i])} for {@code i} in {@code [from, to)}. */
    void backward(Activation f, double[] a, double[] g, double[] delta, int from, int to);

    void backward(Activation f, float[] a, float[] g, float[] delta, int from, int to);

    /** Element by element through {@link Activation#apply} and {@link Activation#derivativeFromOutput}. */
    ElementKernel PLAIN = new ElementKernel() {
        @Override
        public void forward(Activation f, double[] z, double[] a, int from, int to) {
            for (int i = from; i < to; i++) {
                a[i] = f.apply(z[i]);
            }
        }

        @Override
        public void forward(Activation f, float[] z, float[] a, int from, int to) {
            for (int i = from; i < to; i++) {
                a[i] = (float) f.apply(z[i]);
            }
        }

        @Override
        public void backward(Activation f, double[] a, double[] g, double[] delta, int from, int to) {
            for (int i = from; i < to; i++) {
                delta[i] = g[i] * f.derivativeFromOutput(a[i]);
            }
        }

        @Override
        public void backward(Activation f, float[] a, float[] g, float[] delta, int from, int to) {
            for (int i = from; i < to; i++) {
                delta[i] = g[i] * (float) f.derivativeFromOutput(a[i]);
            }
        }
    };
}

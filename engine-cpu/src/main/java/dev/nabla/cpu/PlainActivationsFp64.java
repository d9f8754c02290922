// Generated from engine-cpu/src/main/templates/dev/nabla/cpu/PlainActivationsFpN.java.template by PrecisionTemplates; edit the template, then run: java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java
package dev.nabla.cpu;

import dev.nabla.backend.Activation;

/**
 * The activation functions over a range of doubles, element by element through
 * {@link Activation}'s own definitions: what {@link PlainActivations} runs, and the oracle
 * {@link VectorActivationsFp64} is tested against. Each function is evaluated in double and
 * rounded once to the element type.
 */
final class PlainActivationsFp64 {
    private PlainActivationsFp64() {
    }

    /** {@code a[i] = f(z[i])} for {@code i} in {@code [from, to)}. */
    static void forward(Activation f, double[] z, double[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            a[i] = f.apply(z[i]);
        }
    }

    /** {@code delta[i] = g[i] * f'(a[i])} for {@code i} in {@code [from, to)}. */
    static void backward(Activation f, double[] a, double[] g, double[] delta, int from, int to) {
        for (int i = from; i < to; i++) {
            delta[i] = g[i] * f.derivativeFromOutput(a[i]);
        }
    }
}

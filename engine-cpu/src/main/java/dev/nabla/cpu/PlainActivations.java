package dev.nabla.cpu;

import dev.nabla.backend.Activation;

/**
 * {@link CpuActivations} element by element through {@link Activation}'s own definitions:
 * {@link PlainActivationsFp64} and {@link PlainActivationsFp32}. Hand-written because it is only
 * the calls, one per precision.
 */
final class PlainActivations implements CpuActivations {

    @Override
    public void forward(Activation f, double[] z, double[] a, int from, int to) {
        PlainActivationsFp64.forward(f, z, a, from, to);
    }

    @Override
    public void forward(Activation f, float[] z, float[] a, int from, int to) {
        PlainActivationsFp32.forward(f, z, a, from, to);
    }

    @Override
    public void backward(Activation f, double[] a, double[] g, double[] delta, int from, int to) {
        PlainActivationsFp64.backward(f, a, g, delta, from, to);
    }

    @Override
    public void backward(Activation f, float[] a, float[] g, float[] delta, int from, int to) {
        PlainActivationsFp32.backward(f, a, g, delta, from, to);
    }
}

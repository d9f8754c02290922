package dev.nabla.cpu;

import dev.nabla.backend.Activation;

/**
 * {@link CpuActivations} with the Vector API, {@link VectorActivationsFp64} and
 * {@link VectorActivationsFp32}; loaded only where the JVM has module {@code jdk.incubator.vector}.
 * Hand-written because it is only the calls, one per precision.
 */
final class VectorActivations implements CpuActivations {

    @Override
    public void forward(Activation f, double[] z, double[] a, int from, int to) {
        VectorActivationsFp64.forward(f, z, a, from, to);
    }

    @Override
    public void forward(Activation f, float[] z, float[] a, int from, int to) {
        VectorActivationsFp32.forward(f, z, a, from, to);
    }

    @Override
    public void backward(Activation f, double[] a, double[] g, double[] delta, int from, int to) {
        VectorActivationsFp64.backward(f, a, g, delta, from, to);
    }

    @Override
    public void backward(Activation f, float[] a, float[] g, float[] delta, int from, int to) {
        VectorActivationsFp32.backward(f, a, g, delta, from, to);
    }
}

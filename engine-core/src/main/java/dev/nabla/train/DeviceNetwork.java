package dev.nabla.train;

import dev.nabla.backend.Backend;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.Matrix;
import dev.nabla.model.Layer;
import dev.nabla.model.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * A network on a backend: per layer its weights {@code W} ({@code O x I}) and bias {@code b}
 * ({@code 1 x O}), their gradients, and the two buffers of the layer-by-layer passes, each
 * {@code capacity x O}: the activations ({@code z}, then {@code a = f(z)} in place) and the
 * gradients ({@code dL/da}, then {@code dL/dz} in place).
 *
 * <p>Where the backend fuses the network ({@link Backend#fusesNetwork}), a training step needs no
 * per-layer buffers, so they are allocated only when a pass first needs them (an evaluation, a
 * prediction, a traced step); {@link MemoryPlan} counts them either way, so that allocation fits.
 */
final class DeviceNetwork {
    /** The backend-side state of one layer. */
    static final class DeviceLayer {
        final Layer spec;
        final Matrix weights;
        final Matrix bias;
        final Matrix weightGrad;
        final Matrix biasGrad;
        /** {@code z}, overwritten in place by {@code a = f(z)}; null until first needed. */
        RowViews activations;
        /** {@code dL/da}, overwritten in place by {@code dL/dz}; null until first needed. */
        RowViews gradients;

        private DeviceLayer(Layer spec, Allocations memory) {
            this.spec = spec;
            Backend backend = memory.backend();
            weights = memory.allocate(spec.outputs(), spec.inputs());
            weightGrad = memory.allocate(spec.outputs(), spec.inputs());
            backend.upload(spec.weights(), 0, weights);
            if (spec.hasBias()) {
                bias = memory.allocate(1, spec.outputs());
                biasGrad = memory.allocate(1, spec.outputs());
                backend.upload(spec.bias(), 0, bias);
            } else {
                bias = null;
                biasGrad = null;
            }
        }
    }

    private final Network initial;
    private final Allocations memory;
    private final int capacity;
    private final DeviceLayer[] layers;
    /** The layers as {@link Backend#networkGradients} takes them, where the backend fuses this network; else null. */
    private final List<LayerParameters> fused;

    /** Uploads {@code network}'s parameters; the layer buffers hold micro-batches of up to {@code capacity} rows. */
    DeviceNetwork(Network network, Allocations memory, int capacity) {
        this.initial = network;
        this.memory = memory;
        this.capacity = capacity;
        this.layers = new DeviceLayer[network.depth()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new DeviceLayer(network.layer(l), memory);
        }
        Backend backend = memory.backend();
        this.fused = backend.fusesNetwork(network.widths()) ? parameters() : null;
        if (fused == null) {
            allocateLayerBuffers();
        }
    }

    private List<LayerParameters> parameters() {
        List<LayerParameters> out = new ArrayList<>();
        for (DeviceLayer s : layers) {
            out.add(new LayerParameters(s.spec.activation(), s.weights, s.bias, s.weightGrad, s.biasGrad));
        }
        return List.copyOf(out);
    }

    /** The per-layer buffers of the layer-by-layer passes, allocated the first time one is needed. */
    void allocateLayerBuffers() {
        if (layers[0].activations != null) {
            return;
        }
        for (DeviceLayer s : layers) {
            s.activations = new RowViews(memory.allocate(capacity, s.spec.outputs()));
            s.gradients = new RowViews(memory.allocate(capacity, s.spec.outputs()));
        }
    }

    Network initial() {
        return initial;
    }

    int depth() {
        return layers.length;
    }

    DeviceLayer layer(int index) {
        return layers[index];
    }

    /** The layers for {@link Backend#networkGradients}, or null where the backend does not fuse this network. */
    List<LayerParameters> fused() {
        return fused;
    }

    /** Plain SGD on every parameter: {@code p -= lr * dL/dp}, after every gradient is computed. */
    void sgdUpdate(double lr) {
        Backend backend = memory.backend();
        for (DeviceLayer s : layers) {
            backend.sgdUpdate(lr, s.weightGrad, s.weights);
            if (s.bias != null) {
                backend.sgdUpdate(lr, s.biasGrad, s.bias);
            }
        }
    }

    /** The network as it is now on the backend. */
    Network download() {
        Backend backend = memory.backend();
        List<Layer> out = new ArrayList<>();
        for (DeviceLayer s : layers) {
            double[] w = backend.download(s.weights);
            double[] b = s.bias == null ? null : backend.download(s.bias);
            out.add(s.spec.withParameters(w, b));
        }
        return new Network(initial.loss(), out);
    }
}

package dev.nabla.train;

import dev.nabla.backend.Backend;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Optimizer;
import dev.nabla.model.Layer;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import dev.nabla.model.OptimizerState;
import java.util.ArrayList;
import java.util.List;

/**
 * A network on a backend: per layer its weights {@code W} ({@code O x I}) and bias {@code b}
 * ({@code 1 x O}), their gradients and the optimizer's states beside each, and the two buffers of the layer-by-layer passes, each
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
        /** The optimizer's states beside the weights and the bias ({@link Optimizer#states()} each; none for a layer without bias). */
        final Matrix[] weightStates;

        final Matrix[] biasStates;

        private DeviceLayer(Layer spec, Allocations memory, int states) {
            this.spec = spec;
            Backend backend = memory.backend();
            weights = memory.allocate(spec.outputs(), spec.inputs());
            weightGrad = memory.allocate(spec.outputs(), spec.inputs());
            backend.upload(spec.weights(), 0, weights);
            weightStates = new Matrix[states];
            for (int k = 0; k < states; k++) {
                weightStates[k] = memory.allocate(spec.outputs(), spec.inputs());
            }
            if (spec.hasBias()) {
                bias = memory.allocate(1, spec.outputs());
                biasGrad = memory.allocate(1, spec.outputs());
                backend.upload(spec.bias(), 0, bias);
                biasStates = new Matrix[states];
                for (int k = 0; k < states; k++) {
                    biasStates[k] = memory.allocate(1, spec.outputs());
                }
            } else {
                bias = null;
                biasGrad = null;
                biasStates = new Matrix[0];
            }
        }

        private static Matrix state(Matrix[] states, int k) {
            return k < states.length ? states[k] : null;
        }
    }

    private final Network initial;
    private final Optimizer optimizer;
    private final Allocations memory;
    private final int capacity;
    private final DeviceLayer[] layers;
    /** The layers as {@link Backend#networkGradients} takes them, where the backend fuses this network; else null. */
    private final List<LayerParameters> fused;

    /**
     * Uploads {@code network}'s parameters and {@code state}, the optimizer's state for them; the
     * layer buffers hold micro-batches of up to {@code capacity} rows.
     */
    DeviceNetwork(Network network, OptimizerState state, Allocations memory, int capacity) {
        if (!state.fits(network)) {
            throw new IllegalArgumentException("the optimizer state does not fit the network " + network.describe());
        }
        this.initial = network;
        this.memory = memory;
        this.capacity = capacity;
        this.optimizer = state.optimizer();
        this.layers = new DeviceLayer[network.depth()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new DeviceLayer(network.layer(l), memory, optimizer.states());
        }
        Backend backend = memory.backend();
        List<Matrix> states = stateMatrices();
        for (int k = 0; k < states.size(); k++) {
            backend.upload(state.tensors().get(k), 0, states.get(k));
        }
        // The fused pass computes the mean squared error; the classification losses take the layer-by-layer one.
        this.fused = network.loss() == Loss.MSE && backend.fusesNetwork(network.widths()) ? parameters() : null;
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

    /**
     * The optimizer's update of every parameter, after every gradient is computed, with the step's
     * learning rate and bias corrections read from {@code scalars} ({@link Optimizer#stepScalars}).
     */
    void update(Matrix scalars) {
        Backend backend = memory.backend();
        for (DeviceLayer s : layers) {
            backend.optimizerUpdate(
                    optimizer,
                    scalars,
                    s.weightGrad,
                    s.weights,
                    DeviceLayer.state(s.weightStates, 0),
                    DeviceLayer.state(s.weightStates, 1));
            if (s.bias != null) {
                backend.optimizerUpdate(
                        optimizer,
                        scalars,
                        s.biasGrad,
                        s.bias,
                        DeviceLayer.state(s.biasStates, 0),
                        DeviceLayer.state(s.biasStates, 1));
            }
        }
    }

    Optimizer optimizer() {
        return optimizer;
    }

    /** The state matrices in {@link OptimizerState}'s order: per layer, the weights' states, then the bias's. */
    private List<Matrix> stateMatrices() {
        List<Matrix> out = new ArrayList<>();
        for (DeviceLayer s : layers) {
            out.addAll(List.of(s.weightStates));
            out.addAll(List.of(s.biasStates));
        }
        return out;
    }

    /** The optimizer's state as it is now on the backend, after {@code steps} updates. */
    OptimizerState downloadState(long steps) {
        Backend backend = memory.backend();
        List<double[]> tensors = new ArrayList<>();
        for (Matrix m : stateMatrices()) {
            tensors.add(backend.download(m));
        }
        return new OptimizerState(optimizer, steps, tensors);
    }

    /**
     * The number of parameters, which is the length of the flat arrays below: per layer, its
     * weights ({@code O x I}, row-major), then its bias ({@code O}) where it has one.
     */
    int parameterCount() {
        return Math.toIntExact(initial.parameterCount());
    }

    /** Copies every weight and bias into {@code out} from {@code offset}, in {@link #parameterCount()}'s order. */
    void downloadParameters(double[] out, int offset) {
        copy(out, offset, false, false);
    }

    /** Replaces every weight and bias with {@code values} from {@code offset}, in {@link #parameterCount()}'s order. */
    void uploadParameters(double[] values, int offset) {
        copy(values, offset, false, true);
    }

    /** Copies every gradient into {@code out} from {@code offset}, in {@link #parameterCount()}'s order. */
    void downloadGradients(double[] out, int offset) {
        copy(out, offset, true, false);
    }

    /** Replaces every gradient with {@code values} from {@code offset}, in {@link #parameterCount()}'s order. */
    void uploadGradients(double[] values, int offset) {
        copy(values, offset, true, true);
    }

    /** Moves the parameters (or their gradients) between the backend and {@code host}, layer by layer. */
    private void copy(double[] host, int offset, boolean gradients, boolean upload) {
        if (offset < 0 || (long) offset + parameterCount() > host.length) {
            throw new IllegalArgumentException("an array of " + host.length + " values holds no " + parameterCount()
                    + " parameters from " + offset);
        }
        Backend backend = memory.backend();
        int at = offset;
        for (DeviceLayer s : layers) {
            at = move(backend, gradients ? s.weightGrad : s.weights, host, at, upload);
            Matrix b = gradients ? s.biasGrad : s.bias;
            if (b != null) {
                at = move(backend, b, host, at, upload);
            }
        }
    }

    /** Moves one matrix between the backend and {@code host} at {@code at}; returns the offset after it. */
    private static int move(Backend backend, Matrix m, double[] host, int at, boolean upload) {
        if (upload) {
            backend.upload(host, at, m);
        } else {
            backend.download(m, host, at);
        }
        return at + m.rows() * m.cols();
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
        return initial.withLayers(out);
    }
}

package dev.nabla.model;

import dev.nabla.backend.Activation;
import java.util.Arrays;
import java.util.Objects;

/**
 * One fully connected layer: {@code z = x W^T + b}, {@code a = f(z)}, for a batch {@code x} of
 * shape {@code B x I}.
 *
 * <p>{@code weights} is {@code O x I}, row-major: row {@code j} holds the weights into unit
 * {@code j}, so {@code weights[j * I + i]} is the weight from input {@code i} to unit {@code j}
 * (the model file's {@code weights[j][i]}). {@code bias} has {@code O} entries, or is absent: a
 * layer without bias has none and trains none. Immutable; accessors return copies.
 */
public final class Layer {
    private final int inputs;
    private final int outputs;
    private final Activation activation;
    private final double[] weights;
    private final double[] bias;

    /**
     * @param weights {@code outputs * inputs} finite values, row-major
     * @param bias {@code outputs} finite values, or {@code null} for a layer without bias
     */
    public Layer(int inputs, int outputs, Activation activation, double[] weights, double[] bias) {
        if (inputs < 1 || outputs < 1) {
            throw new IllegalArgumentException(
                    "a layer needs at least one input and one output, not " + inputs + " -> " + outputs);
        }
        this.inputs = inputs;
        this.outputs = outputs;
        this.activation = Objects.requireNonNull(activation, "activation");
        if (weights.length != (long) inputs * outputs) {
            throw new IllegalArgumentException("weights of a " + inputs + " -> " + outputs + " layer need "
                    + (long) inputs * outputs + " values, not " + weights.length);
        }
        if (bias != null && bias.length != outputs) {
            throw new IllegalArgumentException(
                    "bias of a layer with " + outputs + " outputs needs " + outputs + " values, not " + bias.length);
        }
        requireFinite(weights, "weights");
        if (bias != null) {
            requireFinite(bias, "bias");
        }
        this.weights = weights.clone();
        this.bias = bias == null ? null : bias.clone();
    }

    /** The inputs {@code I} of each unit. */
    public int inputs() {
        return inputs;
    }

    /** The units {@code O}, one output each. */
    public int outputs() {
        return outputs;
    }

    /** The activation applied to each unit's {@code z}. */
    public Activation activation() {
        return activation;
    }

    /** {@code O x I} weights, row-major (a copy). */
    public double[] weights() {
        return weights.clone();
    }

    /** The weight from input {@code i} into unit {@code j}. */
    public double weight(int j, int i) {
        return weights[j * inputs + i];
    }

    /** Whether each unit adds a bias to its {@code z}. */
    public boolean hasBias() {
        return bias != null;
    }

    /** The bias (a copy), or {@code null} for a layer without one. */
    public double[] bias() {
        return bias == null ? null : bias.clone();
    }

    /** Weights plus bias entries. */
    public long parameterCount() {
        return (long) inputs * outputs + (bias == null ? 0 : outputs);
    }

    /** The same layer with other parameters (for weights read back from a backend). */
    public Layer withParameters(double[] newWeights, double[] newBias) {
        return new Layer(inputs, outputs, activation, newWeights, newBias);
    }

    private static void requireFinite(double[] values, String what) {
        for (int k = 0; k < values.length; k++) {
            if (!Double.isFinite(values[k])) {
                throw new IllegalArgumentException(what + "[" + k + "] is " + values[k]);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Layer l
                && inputs == l.inputs
                && outputs == l.outputs
                && activation == l.activation
                && Arrays.equals(weights, l.weights)
                && Arrays.equals(bias, l.bias);
    }

    @Override
    public int hashCode() {
        return Objects.hash(inputs, outputs, activation, Arrays.hashCode(weights), Arrays.hashCode(bias));
    }

    @Override
    public String toString() {
        return inputs + "->" + outputs + " " + activation.id() + (bias == null ? "" : " +bias");
    }
}

package dev.nabla.backend;

import java.util.Objects;

/**
 * One layer's parameters and the matrices their gradients go to, as {@link Backend#networkGradients}
 * takes them: {@code weights} and {@code weightGrad} are {@code O x I}, {@code bias} and
 * {@code biasGrad} are {@code 1 x O}, or both null for a layer without bias.
 */
public record LayerParameters(Activation activation, Matrix weights, Matrix bias, Matrix weightGrad, Matrix biasGrad) {
    /** Checks that the activation, the weights and their gradient are there, and the bias with its gradient or neither. */
    public LayerParameters {
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(weightGrad, "weightGrad");
        if ((bias == null) != (biasGrad == null)) {
            throw new IllegalArgumentException("a layer has both a bias and its gradient, or neither");
        }
    }

    /** The layer's inputs {@code I}: the columns of its weights. */
    public int inputs() {
        return weights.cols();
    }

    /** The layer's units {@code O}: the rows of its weights. */
    public int outputs() {
        return weights.rows();
    }
}

package dev.nabla.backend;

import dev.nabla.InputException;
import java.util.Locale;

/**
 * The activation functions a layer can apply, element by element: {@code a = f(z)}.
 *
 * <p>Backward passes use the activation's output, not its input, as the document does:
 * {@code sigmoid'(z) = a (1 - a)}, {@code tanh'(z) = 1 - a^2}, {@code relu'(z) = [a > 0]},
 * {@code identity'(z) = 1}. These scalar forms are the definition every backend implements;
 * the CPU backend calls them directly.
 *
 * <p>{@link #SOFTMAX} is the one activation that is not elementwise: over each row (sample) of
 * {@code z}, {@code a_k = exp(z_k - m) / sum_j exp(z_j - m)} with {@code m} the row's largest
 * value, so that large logits neither overflow nor lose the result. It ends a network trained with
 * {@link LogitLoss#SOFTMAX_CROSS_ENTROPY}, whose gradient is taken from the logits with the loss;
 * it has no backward pass of its own.
 */
public enum Activation {
    /** {@code 1 / (1 + exp(-z))}, the document's activation; its derivative is {@code a (1 - a)}. */
    SIGMOID {
        @Override
        public double apply(double z) {
            return 1.0 / (1.0 + Math.exp(-z));
        }

        @Override
        public double derivativeFromOutput(double a) {
            return a * (1.0 - a);
        }
    },
    /** {@code tanh(z)}; its derivative is {@code 1 - a^2}. */
    TANH {
        @Override
        public double apply(double z) {
            return Math.tanh(z);
        }

        @Override
        public double derivativeFromOutput(double a) {
            return 1.0 - a * a;
        }
    },
    /** {@code max(z, 0)}; its derivative is 1 where {@code a > 0} and 0 elsewhere (at 0 too). */
    RELU {
        @Override
        public double apply(double z) {
            return z > 0.0 ? z : 0.0;
        }

        @Override
        public double derivativeFromOutput(double a) {
            return a > 0.0 ? 1.0 : 0.0;
        }
    },
    /** {@code z} unchanged, for a linear output; its derivative is 1. */
    IDENTITY {
        @Override
        public double apply(double z) {
            return z;
        }

        @Override
        public double derivativeFromOutput(double a) {
            return 1.0;
        }
    },
    /** The row-wise softmax above; it ends a network of {@link LogitLoss#SOFTMAX_CROSS_ENTROPY} only. */
    SOFTMAX {
        @Override
        public double apply(double z) {
            throw new UnsupportedOperationException("softmax is taken over a whole row, not one value");
        }

        @Override
        public double derivativeFromOutput(double a) {
            throw new UnsupportedOperationException("softmax's gradient is taken with its loss, from the logits");
        }

        @Override
        public boolean elementwise() {
            return false;
        }
    };

    /** {@code f(z)}; only for {@link #elementwise()} activations. */
    public abstract double apply(double z);

    /** {@code f'(z)} written in terms of {@code a = f(z)}; only for {@link #elementwise()} activations. */
    public abstract double derivativeFromOutput(double a);

    /** Whether {@code a = f(z)} element by element ({@link #apply}); false for {@link #SOFTMAX}, taken over a row. */
    public boolean elementwise() {
        return true;
    }

    /** The name used in model files and on the command line: {@code sigmoid}, {@code tanh}, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a model file's or a flag's name; an unknown name is an {@link InputException}. */
    public static Activation parse(String id) {
        for (Activation a : values()) {
            if (a.id().equals(id)) {
                return a;
            }
        }
        throw new InputException("unknown activation '" + id + "' (known: " + knownIds() + ")");
    }

    static String knownIds() {
        StringBuilder sb = new StringBuilder();
        for (Activation a : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(a.id());
        }
        return sb.toString();
    }
}

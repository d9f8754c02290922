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
 */
public enum Activation {
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
    IDENTITY {
        @Override
        public double apply(double z) {
            return z;
        }

        @Override
        public double derivativeFromOutput(double a) {
            return 1.0;
        }
    };

    /** {@code f(z)}. */
    public abstract double apply(double z);

    /** {@code f'(z)} written in terms of {@code a = f(z)}. */
    public abstract double derivativeFromOutput(double a);

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

package dev.nabla.train;

/**
 * Everything one layer computed in a traced step, each a row-major copy. For a batch of
 * {@code B} samples into a layer of {@code I} inputs and {@code O} outputs:
 *
 * @param preActivation {@code z = x W^T + b}, {@code B x O} (the document's z1..z4)
 * @param activation {@code a = f(z)}, {@code B x O} (h1, h2, o1, o2)
 * @param outputGradient {@code dL/da}, {@code B x O} (dE/do1, ...; for a hidden layer, dE/dh1, ...)
 * @param delta {@code dL/dz = dL/da * f'(a)}, {@code B x O}
 * @param weightGradient {@code dL/dW = delta^T x}, {@code O x I} (dE/dW5, ...)
 * @param biasGradient {@code dL/db}, {@code O} values, or {@code null} for a layer without bias
 */
public record LayerTrace(
        int rows,
        int inputs,
        int outputs,
        double[] preActivation,
        double[] activation,
        double[] outputGradient,
        double[] delta,
        double[] weightGradient,
        double[] biasGradient) {}

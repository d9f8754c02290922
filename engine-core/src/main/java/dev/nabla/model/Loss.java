package dev.nabla.model;

import dev.nabla.InputException;
import dev.nabla.backend.Activation;
import dev.nabla.backend.LogitLoss;

/**
 * The loss a network trains against; a batch's loss is the mean over its samples of the
 * per-sample loss, and its gradients are the gradients of that mean.
 * <ul>
 *   <li>{@code mse}: per sample {@code sum_k 1/2 (t_k - o_k)^2}; with a batch of one this is the
 *       document's {@code E_total}. Any elementwise output activation.
 *   <li>{@code softmax-cross-entropy}: per sample {@code -sum_k t_k log p_k} with
 *       {@code p = softmax(z)}, on a {@code softmax} output layer.
 *   <li>{@code binary-cross-entropy}: per sample {@code -sum_k [t_k log o_k + (1 - t_k) log(1 - o_k)]}
 *       with {@code o = sigmoid(z)}, on a {@code sigmoid} output layer.
 * </ul>
 * The two cross-entropies are computed from the logits, fused with their activation
 * ({@link LogitLoss}), and are the <em>classification</em> losses: targets are class
 * probabilities (one-hot from {@code --labels}), and accuracy is reported.
 */
public enum Loss {
    /** The mean squared error, halved: the document's loss. */
    MSE("mse", null),
    /** The cross-entropy of a softmax output layer, for one class of several. */
    SOFTMAX_CROSS_ENTROPY("softmax-cross-entropy", LogitLoss.SOFTMAX_CROSS_ENTROPY),
    /** The cross-entropy of each sigmoid output, for yes-or-no targets. */
    BINARY_CROSS_ENTROPY("binary-cross-entropy", LogitLoss.BINARY_CROSS_ENTROPY);

    private final String id;
    private final LogitLoss logitLoss;

    Loss(String id, LogitLoss logitLoss) {
        this.id = id;
        this.logitLoss = logitLoss;
    }

    /** The name in model files and on the command line: {@code mse}, {@code softmax-cross-entropy}, ... */
    public String id() {
        return id;
    }

    /** The fused backend loss of a classification loss; null for {@code mse}. */
    public LogitLoss logitLoss() {
        return logitLoss;
    }

    /** Whether this is a classification loss: targets are class probabilities, and accuracy is reported. */
    public boolean classification() {
        return logitLoss != null;
    }

    /**
     * Checks that a network of this loss may end in {@code output} (and that softmax ends it):
     * each cross-entropy needs its own activation, and {@code mse} any elementwise one. A misfit
     * is an {@link InputException}.
     */
    public void requireOutput(Activation output) {
        if (logitLoss != null && output != logitLoss.output()) {
            throw new InputException(
                    "the loss " + id + " needs a " + logitLoss.output().id() + " output layer, not " + output.id());
        }
        if (logitLoss == null && !output.elementwise()) {
            throw new InputException(
                    "a " + output.id() + " output layer needs the loss " + SOFTMAX_CROSS_ENTROPY.id + ", not " + id);
        }
    }

    /** The loss named {@code id}; another name is an {@link InputException} listing the known ones. */
    public static Loss parse(String id) {
        StringBuilder known = new StringBuilder();
        for (Loss l : values()) {
            if (l.id.equals(id)) {
                return l;
            }
            known.append(known.length() == 0 ? "" : ", ").append(l.id);
        }
        throw new InputException("unknown loss '" + id + "' (known: " + known + ")");
    }
}

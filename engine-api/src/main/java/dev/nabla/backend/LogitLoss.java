package dev.nabla.backend;

/**
 * The classification losses, each fused with the output activation it belongs to and computed
 * from the logits {@code z} (the last layer's pre-activation), for {@code B x O} logits and
 * targets {@code t}. Per sample:
 * <pre>
 *   SOFTMAX_CROSS_ENTROPY:  loss = sum_k t_k (lse - z_k),  lse = m + log sum_j exp(z_j - m),  m = max_j z_j
 *                           dloss/dz_k = p_k S - t_k,  p = softmax(z),  S = sum_k t_k  (p - t for targets summing to 1)
 *   BINARY_CROSS_ENTROPY:   loss = sum_k max(z_k, 0) - z_k t_k + log(1 + exp(-|z_k|))
 *                                = -sum_k [t_k log o_k + (1 - t_k) log(1 - o_k)],  o = sigmoid(z)
 *                           dloss/dz_k = o_k - t_k
 * </pre>
 * Both forms stay finite for logits of any size: the softmax subtracts the row's largest logit,
 * and the binary form never takes the logarithm of a sigmoid that rounded to 0 or 1.
 *
 * <p>A sample counts as classified right when, for softmax, its largest logit is where its target
 * is largest (the first of a tie, on both sides); for binary cross-entropy, when every output is
 * on the target's side of one half ({@code z_k > 0} exactly where {@code t_k > 1/2}).
 */
public enum LogitLoss {
    /** Softmax over each row, then {@code -sum_k t_k log p_k}. */
    SOFTMAX_CROSS_ENTROPY(Activation.SOFTMAX),
    /** A sigmoid on each output, then {@code -sum_k [t_k log o_k + (1 - t_k) log(1 - o_k)]}. */
    BINARY_CROSS_ENTROPY(Activation.SIGMOID);

    private final Activation output;

    LogitLoss(Activation output) {
        this.output = output;
    }

    /** The output activation the loss is fused with: a network's prediction applies it to the logits. */
    public Activation output() {
        return output;
    }
}

package dev.nabla.model;

import dev.nabla.InputException;

/**
 * The loss a network trains against. {@code mse}: per sample {@code sum_k 1/2 (t_k - o_k)^2}; a
 * batch's loss is the mean over its samples, and its gradients are the gradients of that mean.
 * With a batch of one this is the document's {@code E_total}.
 */
public enum Loss {
    MSE("mse");

    private final String id;

    Loss(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Loss parse(String id) {
        for (Loss l : values()) {
            if (l.id.equals(id)) {
                return l;
            }
        }
        throw new InputException("unknown loss '" + id + "' (known: mse)");
    }
}

package dev.nabla.spark;

import dev.nabla.backend.Activation;
import dev.nabla.model.Layer;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A network without its parameters, as tasks carry it: the loss and per layer its widths, its
 * activation and whether it has a bias. With a flat parameter array (in {@code Trainer.parameterCount}'s
 * order) it is the network again. Executors keep one trainer per shape.
 */
record NetworkShape(Loss loss, int[] widths, Activation[] activations, boolean[] bias) implements Serializable {

    static NetworkShape of(Network n) {
        Activation[] f = new Activation[n.depth()];
        boolean[] b = new boolean[n.depth()];
        for (int l = 0; l < n.depth(); l++) {
            f[l] = n.layer(l).activation();
            b[l] = n.layer(l).hasBias();
        }
        return new NetworkShape(n.loss(), n.widths(), f, b);
    }

    /** The network of this shape holding {@code parameters}: per layer its weights, then its bias. */
    Network with(double[] parameters) {
        List<Layer> layers = new ArrayList<>();
        int at = 0;
        for (int l = 0; l < activations.length; l++) {
            int in = widths[l];
            int out = widths[l + 1];
            double[] w = Arrays.copyOfRange(parameters, at, at + in * out);
            at += in * out;
            double[] b = null;
            if (bias[l]) {
                b = Arrays.copyOfRange(parameters, at, at + out);
                at += out;
            }
            layers.add(new Layer(in, out, activations[l], w, b));
        }
        if (at != parameters.length) {
            throw new IllegalArgumentException(parameters.length + " parameters for a network of " + at);
        }
        return new Network(loss, layers);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkShape s
                && loss == s.loss
                && Arrays.equals(widths, s.widths)
                && Arrays.equals(activations, s.activations)
                && Arrays.equals(bias, s.bias);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(widths) * 31
                + Arrays.hashCode(activations) * 7
                + Arrays.hashCode(bias)
                + loss.hashCode();
    }

    @Override
    public String toString() {
        return loss.id() + " " + Arrays.toString(widths);
    }
}

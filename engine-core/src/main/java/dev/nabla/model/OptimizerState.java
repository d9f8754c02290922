package dev.nabla.model;

import dev.nabla.backend.Optimizer;
import java.util.ArrayList;
import java.util.List;

/**
 * What an optimizer keeps beside a network's parameters between steps: the updates taken so far
 * ({@code steps}, Adam's {@code t}) and its state tensors, in a fixed order: for each layer, for
 * its weights and then its bias (where it has one), each of {@link Optimizer#stateNames()}. In a
 * checkpoint each is the tensor named after its parameter, {@code optimizer.layers.0.weight.exp_avg}.
 *
 * @param optimizer the rule the state belongs to
 * @param steps the updates taken with this state
 * @param tensors the state tensors, each as long as its parameter
 */
public record OptimizerState(Optimizer optimizer, long steps, List<double[]> tensors) {
    /** Checks that {@code steps} is not negative, and keeps a list of the tensors (the arrays themselves are shared). */
    public OptimizerState {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be 0 or more, not " + steps);
        }
        tensors = List.copyOf(tensors);
    }

    /** The state of an optimizer that has taken no step on {@code network}: every tensor zero. */
    public static OptimizerState fresh(Optimizer optimizer, Network network) {
        List<double[]> t = new ArrayList<>();
        for (Slot s : slots(optimizer, network)) {
            t.add(new double[Math.toIntExact(s.size())]);
        }
        return new OptimizerState(optimizer, 0, t);
    }

    /** One state tensor's place: its parameter and its name. */
    public record Slot(int layer, boolean bias, String state, long size) {
        /** {@code optimizer.layers.L.weight.STATE} or {@code optimizer.layers.L.bias.STATE}. */
        public String tensorName() {
            return "optimizer.layers." + layer + (bias ? ".bias." : ".weight.") + state;
        }
    }

    /** The places of {@code optimizer}'s state tensors for {@code network}, in the order of {@link #tensors}. */
    public static List<Slot> slots(Optimizer optimizer, Network network) {
        List<Slot> out = new ArrayList<>();
        for (int l = 0; l < network.depth(); l++) {
            Layer layer = network.layer(l);
            for (String name : optimizer.stateNames()) {
                out.add(new Slot(l, false, name, (long) layer.inputs() * layer.outputs()));
            }
            if (layer.hasBias()) {
                for (String name : optimizer.stateNames()) {
                    out.add(new Slot(l, true, name, layer.outputs()));
                }
            }
        }
        return out;
    }

    /** Whether this state fits {@code network}: one tensor of the right length at every place. */
    public boolean fits(Network network) {
        List<Slot> slots = slots(optimizer, network);
        if (slots.size() != tensors.size()) {
            return false;
        }
        for (int k = 0; k < slots.size(); k++) {
            if (tensors.get(k).length != slots.get(k).size()) {
                return false;
            }
        }
        return true;
    }
}

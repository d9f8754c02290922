package dev.nabla.train;

import dev.nabla.model.Network;
import java.util.List;

/**
 * One training step laid open: the batch's loss before the update, every layer's intermediate
 * values (first layer first), and the network after the update.
 *
 * @param loss the batch's loss before the update
 * @param layers each layer's intermediate values, first layer first
 * @param updated the network after the update
 */
public record StepTrace(double loss, List<LayerTrace> layers, Network updated) {

    /** Keeps a copy of the list of layers. */
    public StepTrace {
        layers = List.copyOf(layers);
    }

    /** Layer {@code index}'s values, from 0 for the first layer. */
    public LayerTrace layer(int index) {
        return layers.get(index);
    }
}

package dev.nabla.train;

import dev.nabla.model.Network;
import java.util.List;

/**
 * One training step laid open: the batch's loss before the update, every layer's intermediate
 * values (first layer first), and the network after the update.
 */
public record StepTrace(double loss, List<LayerTrace> layers, Network updated) {

    public StepTrace {
        layers = List.copyOf(layers);
    }

    public LayerTrace layer(int index) {
        return layers.get(index);
    }
}

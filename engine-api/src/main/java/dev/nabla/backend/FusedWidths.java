package dev.nabla.backend;

import java.util.List;

/**
 * The widths of the network {@link Backend#fusesNetwork} last accepted, so that
 * {@link Backend#networkGradients}, called every step with the same layers, asks once and then
 * only compares, allocating nothing.
 */
final class FusedWidths {
    private int[] accepted;

    /** The inputs' width, then each layer's outputs. */
    static int[] of(Matrix x, List<LayerParameters> layers) {
        int[] widths = new int[layers.size() + 1];
        widths[0] = x.cols();
        for (int l = 0; l < layers.size(); l++) {
            widths[l + 1] = layers.get(l).outputs();
        }
        return widths;
    }

    /** Whether these are the widths last accepted. */
    boolean matches(Matrix x, List<LayerParameters> layers) {
        if (accepted == null || accepted.length != layers.size() + 1 || accepted[0] != x.cols()) {
            return false;
        }
        for (int l = 0; l < layers.size(); l++) {
            if (accepted[l + 1] != layers.get(l).outputs()) {
                return false;
            }
        }
        return true;
    }

    void remember(int[] widths) {
        accepted = widths.clone();
    }
}

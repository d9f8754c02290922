package dev.nabla.example;

import dev.nabla.backend.Activation;
import dev.nabla.model.Layer;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import java.util.List;

/**
 * The worked example Nabla grew from: a 2-2-2 sigmoid network without bias, one sample, trained
 * by hand for one gradient-descent step with learning rate 0.5.
 *
 * <pre>
 *   hidden: W1 W2 into h1, W3 W4 into h2 = [[0.30, 0.25], [0.40, 0.35]]
 *   output: W5 W6 into o1, W7 W8 into o2 = [[0.45, 0.40], [0.70, 0.60]]
 *   x = (0.1, 0.2), t = (0.4, 0.6)
 * </pre>
 */
public final class DocumentExample {
    /** The input sample {@code (x1, x2)}. */
    public static final double[] INPUT = {0.1, 0.2};
    /** The targets of {@code o1, o2}. */
    public static final double[] TARGET = {0.4, 0.6};
    /** The document's learning rate. */
    public static final double LEARNING_RATE = 0.5;

    private DocumentExample() {}

    /** The network before training. */
    public static Network network() {
        return new Network(
                Loss.MSE,
                List.of(
                        new Layer(2, 2, Activation.SIGMOID, new double[] {0.30, 0.25, 0.40, 0.35}, null),
                        new Layer(2, 2, Activation.SIGMOID, new double[] {0.45, 0.40, 0.70, 0.60}, null)));
    }
}

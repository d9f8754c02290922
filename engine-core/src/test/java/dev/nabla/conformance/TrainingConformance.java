package dev.nabla.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.example.DocumentExample;
import dev.nabla.model.Layer;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import dev.nabla.model.OptimizerState;
import dev.nabla.numerics.Tolerance;
import dev.nabla.train.LayerTrace;
import dev.nabla.train.StepTrace;
import dev.nabla.train.Trainer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Training with the classification losses and the optimizers, as every backend must do it: known
 * answers worked out by hand on the document's 2-2-2 network (printed to 8 decimals, as the
 * document prints its own), micro-batches against whole batches, a state handed from one trainer
 * to the next, and logits far beyond where a naive softmax overflows. A backend's test extends
 * this class and implements {@link #open}.
 */
public abstract class TrainingConformance {
    protected abstract Backend open(Precision precision);

    /** The document's network, with a softmax output trained on softmax cross-entropy. */
    private static Network documentSoftmax() {
        Network doc = DocumentExample.network();
        Layer out = doc.layer(1);
        return new Network(
                Loss.SOFTMAX_CROSS_ENTROPY,
                List.of(doc.layer(0), new Layer(2, 2, Activation.SOFTMAX, out.weights(), null)));
    }

    private static void printed(String what, double[] byHand, double[] actual) {
        Compare.close(what, byHand, actual, Tolerance.DOCUMENT);
    }

    /**
     * One SGD step (lr 0.5) of softmax cross-entropy on the document's sample, the targets
     * (0.4, 0.6) read as class probabilities: p = softmax(z3, z4), loss = -sum t log p,
     * delta = p - t, and the rest of the backward pass as the document does it.
     */
    @Test
    void softmaxCrossEntropyStepOnTheDocumentsNetwork() {
        try (Backend be = open(Precision.FP64);
                Trainer tr = new Trainer(be, documentSoftmax(), 1)) {
            StepTrace s = tr.traceStep(DocumentExample.INPUT, DocumentExample.TARGET, 0, 1, 0.5);
            LayerTrace hidden = s.layer(0);
            LayerTrace out = s.layer(1);
            printed("z1, z2", new double[] {0.08000000, 0.11000000}, hidden.preActivation());
            printed("h1, h2", new double[] {0.51998934, 0.52747230}, hidden.activation());
            printed("z3, z4", new double[] {0.44498412, 0.68047592}, out.preActivation());
            printed("p1, p2", new double[] {0.44139762, 0.55860238}, out.activation());
            printed("loss", new double[] {0.67651409}, new double[] {s.loss()});
            printed("delta3, delta4", new double[] {0.04139762, -0.04139762}, out.delta());
            printed("delta1, delta2", new double[] {-0.00258322, -0.00206363}, hidden.delta());
            printed(
                    "dL/dW1..W4",
                    new double[] {-0.00025832, -0.00051664, -0.00020636, -0.00041273},
                    hidden.weightGradient());
            printed(
                    "dL/dW5..W8",
                    new double[] {0.02152632, 0.02183610, -0.02152632, -0.02183610},
                    out.weightGradient());
            printed(
                    "W1..W4 after",
                    new double[] {0.30012916, 0.25025832, 0.40010318, 0.35020636},
                    s.updated().layer(0).weights());
            printed(
                    "W5..W8 after",
                    new double[] {0.43923684, 0.38908195, 0.71076316, 0.61091805},
                    s.updated().layer(1).weights());
            assertEquals(1, tr.lastCorrect(), "the larger target and the larger logit are both the second");
        }
    }

    /**
     * Two Adam steps (lr 0.1, beta1 0.9, beta2 0.999, eps 1e-8) on the document's own network and
     * loss: the gradients of each step, both moments and the weights after each, worked out by hand.
     */
    @Test
    void twoAdamStepsOnTheDocumentsNetwork() {
        Optimizer adam = Optimizer.adam(0.9, 0.999, 1e-8, 0);
        try (Backend be = open(Precision.FP64);
                Trainer tr = new Trainer(be, DocumentExample.network(), 1, adam)) {
            StepTrace s1 = tr.traceStep(DocumentExample.INPUT, DocumentExample.TARGET, 0, 1, 0.1);
            printed("loss 1", new double[] {0.02397190}, new double[] {s1.loss()});
            printed(
                    "dW1..W4 1",
                    new double[] {0.00080888, 0.00161775, 0.00071009, 0.00142017},
                    s1.layer(0).weightGradient());
            printed(
                    "dW5..W8 1",
                    new double[] {0.02592286, 0.02629590, 0.00740844, 0.00751506},
                    s1.layer(1).weightGradient());
            OptimizerState st1 = tr.optimizerState();
            printed(
                    "m hidden 1",
                    new double[] {0.00008089, 0.00016178, 0.00007101, 0.00014202},
                    st1.tensors().get(0));
            relative(
                    "v hidden 1",
                    new double[] {6.54279386e-10, 2.61711754e-09, 5.04222143e-10, 2.01688857e-09},
                    st1.tensors().get(1));
            printed(
                    "m output 1",
                    new double[] {0.00259229, 0.00262959, 0.00074084, 0.00075151},
                    st1.tensors().get(2));
            relative(
                    "v output 1",
                    new double[] {6.71994443e-07, 6.91474427e-07, 5.48850518e-08, 5.64760768e-08},
                    st1.tensors().get(3));
            printed(
                    "W1..W4 1",
                    new double[] {0.20000124, 0.15000062, 0.30000141, 0.25000070},
                    s1.updated().layer(0).weights());
            printed(
                    "W5..W8 1",
                    new double[] {0.35000004, 0.30000004, 0.60000013, 0.50000013},
                    s1.updated().layer(1).weights());

            StepTrace s2 = tr.traceStep(DocumentExample.INPUT, DocumentExample.TARGET, 0, 1, 0.1);
            printed("loss 2", new double[] {0.01748555}, new double[] {s2.loss()});
            OptimizerState st2 = tr.optimizerState();
            assertEquals(2, st2.steps());
            printed(
                    "m hidden 2",
                    new double[] {0.00012493, 0.00024986, 0.00010824, 0.00021647},
                    st2.tensors().get(0));
            relative(
                    "v hidden 2",
                    new double[] {9.25413168e-10, 3.70165267e-09, 7.00212973e-10, 2.80085189e-09},
                    st2.tensors().get(1));
            printed(
                    "m output 2",
                    new double[] {0.00461384, 0.00468075, 0.00111863, 0.00113483},
                    st2.tensors().get(2));
            relative(
                    "v output 2",
                    new double[] {1.19151890e-06, 1.22629957e-06, 7.52487694e-08, 7.74395462e-08},
                    st2.tensors().get(3));
            printed(
                    "W1..W4 2",
                    new double[] {0.10336221, 0.05336088, 0.20375154, 0.15375003},
                    s2.updated().layer(0).weights());
            printed(
                    "W5..W8 2",
                    new double[] {0.25053635, 0.20053506, 0.50404049, 0.40403762},
                    s2.updated().layer(1).weights());
        }
    }

    /** Values printed with 9 significant digits: within half a unit of the last one. */
    private static void relative(String what, double[] byHand, double[] actual) {
        assertEquals(byHand.length, actual.length, what);
        for (int i = 0; i < byHand.length; i++) {
            // 9 significant digits printed: the true value lies within 5e-9 of the printed one, relatively.
            assertEquals(byHand[i], actual[i], 5e-9 * Math.abs(byHand[i]), what + "[" + i + "]");
        }
    }

    private static Network classifier(long seed, boolean bias) {
        return Network.builder(4)
                .dense(7, Activation.TANH, bias)
                .dense(5, Activation.SIGMOID, bias)
                .dense(3, Activation.SOFTMAX, bias)
                .loss(Loss.SOFTMAX_CROSS_ENTROPY)
                .build(seed);
    }

    private static double[][] classes(int n, int inputs, int classes, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[n * inputs];
        double[] t = new double[n * classes];
        for (int s = 0; s < n; s++) {
            for (int i = 0; i < inputs; i++) {
                x[s * inputs + i] = rng.nextDouble(-2, 2);
            }
            t[s * classes + rng.nextInt(classes)] = 1;
        }
        return new double[][] {x, t};
    }

    /** A batch split into micro-batches takes Adam's one update on the summed gradients: the whole batch's step. */
    @Test
    void microBatchedAdamEqualsWholeBatchAdam() {
        double[][] d = classes(40, 4, 3, 5);
        Optimizer adam = Optimizer.adamw(0.9, 0.99, 1e-8, 0.01);
        Network net = classifier(3, true);
        try (Backend be = open(Precision.FP64);
                Trainer whole = new Trainer(be, net, 40, adam);
                Trainer micro = new Trainer(be, net, 7, adam)) {
            for (int k = 0; k < 20; k++) {
                int first = k % 2 == 0 ? 0 : 10;
                double a = whole.step(d[0], d[1], first, 30, 0.01);
                double b = micro.step(d[0], d[1], first, 30, 0.01);
                // The micro-batches sum the same gradients in another order: rounding only.
                assertEquals(a, b, Tolerance.FP64_OPTIMIZED.absolute(), "loss of step " + (k + 1));
                assertEquals(whole.lastCorrect(), micro.lastCorrect(), "samples right at step " + (k + 1));
            }
            Network w = whole.network();
            Network m = micro.network();
            for (int l = 0; l < net.depth(); l++) {
                // As above: 20 steps of reordered sums.
                double tol = Tolerance.FP64_OPTIMIZED.absolute();
                assertArrayEquals(w.layer(l).weights(), m.layer(l).weights(), tol, "weights of layer " + l);
                assertArrayEquals(w.layer(l).bias(), m.layer(l).bias(), tol, "bias of layer " + l);
            }
        }
    }

    /**
     * A trainer made from another's network and optimizer state continues exactly where it stood,
     * bit for bit: what {@code --resume} does with a checkpoint. For momentum and for Adam.
     */
    @Test
    void aTrainerContinuesFromAnotherTrainersStateBitForBit() {
        double[][] d = classes(24, 4, 3, 9);
        for (Optimizer o : new Optimizer[] {Optimizer.sgd(0.9, true, 1e-3), Optimizer.adam(0.9, 0.999, 1e-8, 1e-3)}) {
            for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
                Network net = classifier(11, true);
                try (Backend be = open(p);
                        Trainer straight = new Trainer(be, net, 8, o)) {
                    for (int k = 0; k < 12; k++) {
                        straight.step(d[0], d[1], (k % 3) * 8, 8, 0.05);
                    }
                    Network half;
                    OptimizerState state;
                    try (Trainer first = new Trainer(be, net, 8, o)) {
                        for (int k = 0; k < 5; k++) {
                            first.step(d[0], d[1], (k % 3) * 8, 8, 0.05);
                        }
                        half = first.network();
                        state = first.optimizerState();
                    }
                    assertEquals(5, state.steps());
                    try (Trainer second = new Trainer(be, half, 8, state)) {
                        for (int k = 5; k < 12; k++) {
                            second.step(d[0], d[1], (k % 3) * 8, 8, 0.05);
                        }
                        Network a = straight.network();
                        Network b = second.network();
                        for (int l = 0; l < net.depth(); l++) {
                            assertArrayEquals(a.layer(l).weights(), b.layer(l).weights(), o + " " + p + " layer " + l);
                            assertArrayEquals(a.layer(l).bias(), b.layer(l).bias(), o + " " + p + " layer " + l);
                        }
                        assertEquals(
                                straight.optimizerState().tensors().size(),
                                second.optimizerState().tensors().size());
                        for (int k = 0; k < state.tensors().size(); k++) {
                            assertArrayEquals(
                                    straight.optimizerState().tensors().get(k),
                                    second.optimizerState().tensors().get(k),
                                    o + " " + p + " state " + k);
                        }
                    }
                }
            }
        }
    }

    /** The samples a step counts as right are those whose largest output is at their class, by the network before the step. */
    @Test
    void theStepCountsTheSamplesItClassifiesRight() {
        double[][] d = classes(30, 4, 3, 21);
        try (Backend be = open(Precision.FP64);
                Trainer tr = new Trainer(be, classifier(4, false), 30, Optimizer.SGD)) {
            for (int k = 0; k < 5; k++) {
                double[] y = tr.predict(d[0], 0, 30);
                long right = 0;
                for (int s = 0; s < 30; s++) {
                    int best = 0;
                    int cls = 0;
                    for (int c = 1; c < 3; c++) {
                        best = y[s * 3 + c] > y[s * 3 + best] ? c : best;
                        cls = d[1][s * 3 + c] > d[1][s * 3 + cls] ? c : cls;
                    }
                    right += best == cls ? 1 : 0;
                    double sum = y[s * 3] + y[s * 3 + 1] + y[s * 3 + 2];
                    // A prediction is the softmax's probabilities: they add up to 1 but for rounding.
                    assertEquals(1.0, sum, 1e-15, "probabilities of sample " + s);
                }
                tr.step(d[0], d[1], 0, 30, 0.5);
                assertEquals(right, tr.lastCorrect(), "samples right before step " + (k + 1));
            }
        }
    }

    /**
     * Logits of several hundred, where exp overflows a double, still give a finite loss and a
     * finite step, and the loss of a confident wrong answer is about the logits' gap.
     */
    @Test
    void logitsOfSeveralHundredStayFinite() {
        Network net = new Network(
                Loss.SOFTMAX_CROSS_ENTROPY,
                List.of(new Layer(2, 3, Activation.SOFTMAX, new double[] {400, 0, 0, 100, 0, -300}, null)));
        double[] x = {1, 1};
        double[] t = {0, 0, 1}; // class 2, whose logit is -300, against 400 for class 0
        try (Backend be = open(Precision.FP64);
                Trainer tr = new Trainer(be, net, 1, Optimizer.SGD)) {
            double loss = tr.step(x, t, 0, 1, 1e-3);
            // z = (400, 100, -300): -log softmax(z)_2 = 400 + log(1 + e^-300 + e^-700) + 300, which is 700 in doubles.
            assertEquals(700.0, loss, 1e-9, "the loss is the gap between the largest logit and the target's");
            assertEquals(0, tr.lastCorrect());
            for (Layer l : List.of(tr.network().layer(0))) {
                for (double w : l.weights()) {
                    assertTrue(Double.isFinite(w), "weights stay finite");
                }
            }
        }
    }
}

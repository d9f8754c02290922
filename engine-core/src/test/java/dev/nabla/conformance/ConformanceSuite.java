package dev.nabla.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Precision;
import dev.nabla.data.Dataset;
import dev.nabla.example.DocumentExample;
import dev.nabla.model.Layer;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import dev.nabla.numerics.Tolerance;
import dev.nabla.train.LayerTrace;
import dev.nabla.train.ResidentBatch;
import dev.nabla.train.StepTrace;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingDivergedException;
import dev.nabla.train.TrainingLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance suite every backend runs: the operations of {@link OperationConformance},
 * {@link ClassificationConformance} and {@link OptimizerConformance}, then
 * training as a whole: the document's example to its printed digits, gradients against central
 * finite differences, many steps against an independent implementation, and FP32 against FP64.
 * A backend's test extends this class and implements {@link #open}.
 */
public abstract class ConformanceSuite extends OptimizerConformance {

    @Test
    void reproducesEveryValueOfTheDocumentsExample() {
        double[] x = DocumentExample.INPUT;
        double[] t = DocumentExample.TARGET;
        try (Backend be = open(Precision.FP64);
                Trainer tr = new Trainer(be, DocumentExample.network(), 1)) {
            StepTrace s = tr.traceStep(x, t, 0, 1, DocumentExample.LEARNING_RATE);
            LayerTrace hidden = s.layer(0);
            LayerTrace out = s.layer(1);
            printed("z1, z2", new double[] {0.08000000, 0.11000000}, hidden.preActivation());
            printed("h1, h2", new double[] {0.51998934, 0.52747230}, hidden.activation());
            printed("z3, z4", new double[] {0.44498412, 0.68047592}, out.preActivation());
            printed("o1, o2", new double[] {0.60944600, 0.66384491}, out.activation());
            double[] o = out.activation();
            printed("E_o1, E_o2", new double[] {0.02193381, 0.00203809}, new double[] {
                0.5 * (t[0] - o[0]) * (t[0] - o[0]), 0.5 * (t[1] - o[1]) * (t[1] - o[1])
            });
            printed("E_total", new double[] {0.02397190}, new double[] {s.loss()});
            printed("dE/do1", new double[] {0.20944600}, new double[] {out.outputGradient()[0]});
            printed("do1/dz3", new double[] {0.23802157}, new double[] {out.delta()[0] / out.outputGradient()[0]});
            printed(
                    "dE/dW5..dE/dW8",
                    new double[] {0.02592286, 0.02629590, 0.00740844, 0.00751506},
                    out.weightGradient());
            printed(
                    "W5+..W8+",
                    new double[] {0.43703857, 0.38685205, 0.69629578, 0.59624247},
                    s.updated().layer(1).weights());
            printed(
                    "W1+..W4+",
                    new double[] {0.29959556, 0.24919112, 0.39964496, 0.34928991},
                    s.updated().layer(0).weights());
            double after = tr.loss(x, t, 0, 1);
            printed("E_total after the update", new double[] {0.02323634}, new double[] {after});
            printed("the error's fall", new double[] {0.00073556}, new double[] {s.loss() - after});
        }
    }

    private static void printed(String what, double[] document, double[] actual) {
        Compare.close(what, document, actual, Tolerance.DOCUMENT);
    }

    /** A network of the given widths and activations with Glorot weights and, if asked, random biases. */
    public static Network randomNetwork(SplittableRandom rng, int[] widths, Activation[] acts, boolean bias) {
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l + 1 < widths.length; l++) {
            double[] w = Network.glorotUniform(widths[l], widths[l + 1], rng);
            double[] b = bias ? random(rng, widths[l + 1], -0.5, 0.5) : null;
            layers.add(new Layer(widths[l], widths[l + 1], acts[l], w, b));
        }
        return new Network(Loss.MSE, layers);
    }

    static Stream<Arguments> gradientCases() {
        Object[][] nets = {
            {new int[] {2, 2, 2}, new Activation[] {Activation.SIGMOID, Activation.SIGMOID}},
            {new int[] {3, 5, 2}, new Activation[] {Activation.TANH, Activation.IDENTITY}},
            {new int[] {4, 3, 3, 2}, new Activation[] {Activation.RELU, Activation.SIGMOID, Activation.TANH}},
            {
                new int[] {5, 4, 3, 4, 1},
                new Activation[] {Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.IDENTITY}
            },
            {new int[] {1, 1}, new Activation[] {Activation.SIGMOID}},
        };
        Stream.Builder<Arguments> b = Stream.builder();
        for (Object[] n : nets) {
            for (boolean bias : new boolean[] {false, true}) {
                for (int batch : new int[] {1, 3, 64}) {
                    b.add(Arguments.of(n[0], n[1], bias, batch));
                }
            }
        }
        return b.build();
    }

    // Analytic against central finite differences: Tolerance.FINITE_DIFFERENCE, scaled by the larger of the two.
    private static final double FD_EPS = Tolerance.FINITE_DIFFERENCE_STEP;

    @ParameterizedTest(name = "widths {0} acts {1} bias {2} batch {3}")
    @MethodSource("gradientCases")
    void gradientsMatchCentralFiniteDifferences(int[] widths, Activation[] acts, boolean bias, int batch) {
        SplittableRandom rng = new SplittableRandom(widths.length * 1000L + widths[0] * 10L + batch + (bias ? 7 : 0));
        Network net = randomNetwork(rng, widths, acts, bias);
        double[] x = random(rng, batch * net.inputs(), -1, 1);
        double[] t = random(rng, batch * net.outputs(), 0.05, 0.95);
        try (Backend be = open(Precision.FP64)) {
            StepTrace s;
            try (Trainer tr = new Trainer(be, net, batch)) {
                s = tr.traceStep(x, t, 0, batch, 0.1);
            }
            double worst = 0;
            for (int l = 0; l < net.depth(); l++) {
                Layer layer = net.layer(l);
                double[] w = layer.weights();
                double[] gw = s.layer(l).weightGradient();
                for (int k = 0; k < w.length; k++) {
                    double[] plus = w.clone();
                    double[] minus = w.clone();
                    plus[k] += FD_EPS;
                    minus[k] -= FD_EPS;
                    double numeric = (loss(be, replace(net, l, plus, layer.bias()), x, t, batch)
                                    - loss(be, replace(net, l, minus, layer.bias()), x, t, batch))
                            / (2 * FD_EPS);
                    worst = Math.max(worst, checkGradient("layer " + (l + 1) + " weight " + k, gw[k], numeric));
                }
                if (layer.hasBias()) {
                    double[] bv = layer.bias();
                    double[] gb = s.layer(l).biasGradient();
                    for (int k = 0; k < bv.length; k++) {
                        double[] plus = bv.clone();
                        double[] minus = bv.clone();
                        plus[k] += FD_EPS;
                        minus[k] -= FD_EPS;
                        double numeric = (loss(be, replace(net, l, w, plus), x, t, batch)
                                        - loss(be, replace(net, l, w, minus), x, t, batch))
                                / (2 * FD_EPS);
                        worst = Math.max(worst, checkGradient("layer " + (l + 1) + " bias " + k, gb[k], numeric));
                    }
                }
            }
            assertTrue(worst <= 1, "worst difference, as a share of its bound: " + worst);
        }
    }

    private static double checkGradient(String what, double analytic, double numeric) {
        double bound = Tolerance.FINITE_DIFFERENCE.bound(Math.max(Math.abs(analytic), Math.abs(numeric)));
        double share = Math.abs(analytic - numeric) / bound;
        assertTrue(
                share <= 1,
                what + ": analytic " + analytic + ", numeric " + numeric + ", difference "
                        + Math.abs(analytic - numeric) + " of the " + bound + " allowed");
        return share;
    }

    private static Network replace(Network net, int l, double[] w, double[] b) {
        List<Layer> layers = new ArrayList<>(net.layers());
        layers.set(l, net.layer(l).withParameters(w, b));
        return new Network(net.loss(), layers);
    }

    private static double loss(Backend be, Network net, double[] x, double[] t, int batch) {
        try (Trainer tr = new Trainer(be, net, batch)) {
            return tr.loss(x, t, 0, batch);
        }
    }

    static Stream<Arguments> fusedCases() {
        Object[][] nets = {
            {new int[] {2, 2, 2}, new Activation[] {Activation.SIGMOID, Activation.SIGMOID}, false},
            {new int[] {3, 5, 2}, new Activation[] {Activation.TANH, Activation.IDENTITY}, true},
            {new int[] {4, 3, 3, 2}, new Activation[] {Activation.RELU, Activation.SIGMOID, Activation.TANH}, true},
            {
                new int[] {5, 8, 3, 4, 1},
                new Activation[] {Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.IDENTITY},
                false
            },
            {new int[] {8, 8}, new Activation[] {Activation.SIGMOID}, true},
            {new int[] {1, 1}, new Activation[] {Activation.TANH}, false},
        };
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            for (Object[] n : nets) {
                for (int rows : new int[] {1, 3, 17, 1000, 4099}) {
                    b.add(Arguments.of(p, n[0], n[1], n[2], rows));
                }
            }
        }
        return b.build();
    }

    // The fused pass against ReferenceMlp's per-sample sums: Tolerance.FP64_MEAN, or FP32.
    @ParameterizedTest(name = "{0} widths {1} bias {3} rows {4}")
    @MethodSource("fusedCases")
    void fusedNetworkGradientsMatchTheReference(Precision p, int[] widths, Activation[] acts, boolean bias, int rows) {
        SplittableRandom rng = new SplittableRandom(rows * 31L + widths.length * 7L + widths[0]);
        Network net = randomNetwork(rng, widths, acts, bias);
        double[] x = stored(p, random(rng, rows * net.inputs(), -1, 1));
        double[] t = stored(p, random(rng, rows * net.outputs(), 0, 1));
        List<Layer> storedLayers = new ArrayList<>();
        for (Layer l : net.layers()) {
            storedLayers.add(l.withParameters(stored(p, l.weights()), l.bias() == null ? null : stored(p, l.bias())));
        }
        Network held = new Network(net.loss(), storedLayers); // the parameters as the backend holds them
        ReferenceMlp ref = new ReferenceMlp(held);
        double[][] xs = rows(x, net.inputs(), 0, rows);
        double[][] ts = rows(t, net.outputs(), 0, rows);
        int count = rows + 2; // a micro-batch of a larger batch divides by the whole batch's size
        double[][] expected = ref.summedGradients(xs, ts);
        double expectedLoss = ref.loss(xs, ts) * rows / count;
        Tolerance tol = p == Precision.FP64 ? Tolerance.FP64_MEAN : Tolerance.FP32;
        // Two calls' sums added: twice the rounding.
        Tolerance added = new Tolerance(2 * tol.absolute(), tol.relative(), "two sums of " + tol.reason());
        try (Backend be = open(p)) {
            List<LayerParameters> params = new ArrayList<>();
            for (Layer l : held.layers()) {
                Matrix gw = put(be, l.outputs(), l.inputs(), fill(l.weights().length, Double.NaN));
                Matrix gb = l.hasBias() ? put(be, 1, l.outputs(), fill(l.outputs(), Double.NaN)) : null;
                params.add(new LayerParameters(
                        l.activation(),
                        put(be, l.outputs(), l.inputs(), l.weights()),
                        l.hasBias() ? put(be, 1, l.outputs(), l.bias()) : null,
                        gw,
                        gb));
            }
            Matrix mx = put(be, rows, net.inputs(), x);
            Matrix mt = put(be, rows, net.outputs(), t);
            Matrix loss = put(be, 1, 1, new double[] {Double.NaN});
            if (!be.fusesNetwork(widths)) { // a backend that does not fuse this network says so
                IllegalArgumentException e = assertThrows(
                        IllegalArgumentException.class, () -> be.networkGradients(params, mx, mt, count, 0.0, loss));
                assertTrue(e.getMessage().contains("does not fuse"), e.getMessage());
                return;
            }
            be.networkGradients(params, mx, mt, count, 0.0, loss); // beta = 0: the NaNs there are not read
            Compare.close("fused loss", new double[] {expectedLoss}, be.download(loss), tol);
            for (int l = 0; l < params.size(); l++) {
                LayerParameters lp = params.get(l);
                Compare.close(
                        "fused weight gradient of layer " + (l + 1),
                        scaled(expected[2 * l], count),
                        be.download(lp.weightGrad()),
                        tol);
                if (lp.biasGrad() != null) {
                    Compare.close(
                            "fused bias gradient of layer " + (l + 1),
                            scaled(expected[2 * l + 1], count),
                            be.download(lp.biasGrad()),
                            tol);
                }
            }
            be.networkGradients(params, mx, mt, count, 1.0, loss); // beta = 1: adds onto what is there
            Compare.close("fused loss accumulated", new double[] {2 * expectedLoss}, be.download(loss), added);
            for (int l = 0; l < params.size(); l++) {
                double[] twice = scaled(expected[2 * l], count / 2.0);
                Compare.close(
                        "fused weight gradient accumulated, layer " + (l + 1),
                        twice,
                        be.download(params.get(l).weightGrad()),
                        added);
            }
        }
    }

    private static double[] scaled(double[] v, double divisor) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / divisor;
        }
        return out;
    }

    static Stream<Arguments> trainingCases() {
        return Stream.of(
                Arguments.of(new int[] {2, 2, 2}, new Activation[] {Activation.SIGMOID, Activation.SIGMOID}, false, 1),
                Arguments.of(new int[] {3, 8, 2}, new Activation[] {Activation.TANH, Activation.SIGMOID}, true, 7),
                Arguments.of(
                        new int[] {17, 9, 5, 3},
                        new Activation[] {Activation.RELU, Activation.TANH, Activation.IDENTITY},
                        true,
                        16),
                Arguments.of(
                        new int[] {6, 17, 17, 17, 4},
                        new Activation[] {Activation.SIGMOID, Activation.RELU, Activation.TANH, Activation.SIGMOID},
                        false,
                        100));
    }

    // 30 steps of FP64 training, engine against ReferenceMlp: the two differ only in rounding order,
    // Tolerance.FP64_TRAINED.

    @ParameterizedTest(name = "widths {0} bias {2} batch {3}")
    @MethodSource("trainingCases")
    void manyStepsMatchAnIndependentImplementation(int[] widths, Activation[] acts, boolean bias, int batch) {
        SplittableRandom rng = new SplittableRandom(widths.length * 77L + batch);
        Network net = randomNetwork(rng, widths, acts, bias);
        int samples = batch * 3 + Math.max(1, batch / 2); // the last batch of each epoch is shorter
        Dataset data = new Dataset(
                "random",
                samples,
                net.inputs(),
                net.outputs(),
                random(rng, samples * net.inputs(), -1, 1),
                random(rng, samples * net.outputs(), 0, 1));
        double lr = 0.3;
        int epochs = (int) Math.ceil(30.0 / 4);
        ReferenceMlp ref = new ReferenceMlp(net);
        for (int e = 0; e < epochs; e++) {
            for (int first = 0; first < samples; first += batch) {
                int rows = Math.min(batch, samples - first);
                ref.step(
                        rows(data.inputs(), net.inputs(), first, rows),
                        rows(data.targets(), net.outputs(), first, rows),
                        lr);
            }
        }
        try (Backend be = open(Precision.FP64);
                Trainer tr = new Trainer(be, net, batch)) {
            TrainingLoop.run(tr, data, new TrainingLoop.Options(epochs, batch, lr, false, 1), null);
            Network trained = tr.network();
            for (int l = 0; l < net.depth(); l++) {
                Compare.close(
                        "layer " + (l + 1) + " weights",
                        ref.weights(l),
                        trained.layer(l).weights(),
                        Tolerance.FP64_TRAINED);
                if (bias) {
                    Compare.close(
                            "layer " + (l + 1) + " bias",
                            ref.bias(l),
                            trained.layer(l).bias(),
                            Tolerance.FP64_TRAINED);
                }
            }
        }
    }

    private static double[][] rows(double[] flat, int width, int first, int count) {
        double[][] out = new double[count][width];
        for (int r = 0; r < count; r++) {
            System.arraycopy(flat, (first + r) * width, out[r], 0, width);
        }
        return out;
    }

    // FP32 against FP64 after a few steps: Tolerance.FP32.
    @Test
    void fp32TrainingStaysWithinSinglePrecisionOfFp64() {
        SplittableRandom rng = new SplittableRandom(99);
        Network net =
                randomNetwork(rng, new int[] {8, 16, 4}, new Activation[] {Activation.TANH, Activation.SIGMOID}, true);
        int samples = 64;
        Dataset data =
                new Dataset("random", samples, 8, 4, random(rng, samples * 8, -1, 1), random(rng, samples * 4, 0, 1));
        Network[] trained = new Network[2];
        double[][] outputs = new double[2][];
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            try (Backend be = open(p);
                    Trainer tr = new Trainer(be, net, 16)) {
                TrainingLoop.run(tr, data, new TrainingLoop.Options(2, 16, 0.5, false, 1), null);
                trained[p.ordinal()] = tr.network();
                outputs[p.ordinal()] = tr.predict(data.inputs(), 0, 16);
            }
        }
        for (int l = 0; l < net.depth(); l++) {
            Compare.close(
                    "fp32 layer " + (l + 1) + " weights",
                    trained[0].layer(l).weights(),
                    trained[1].layer(l).weights(),
                    Tolerance.FP32);
            Compare.close(
                    "fp32 layer " + (l + 1) + " bias",
                    trained[0].layer(l).bias(),
                    trained[1].layer(l).bias(),
                    Tolerance.FP32);
        }
        Compare.close("fp32 outputs", outputs[0], outputs[1], Tolerance.FP32);
    }

    @Test
    void lossAndPredictionsMatchTheReference() {
        SplittableRandom rng = new SplittableRandom(3);
        Network net = randomNetwork(
                rng, new int[] {3, 17, 2}, new Activation[] {Activation.SIGMOID, Activation.IDENTITY}, true);
        int batch = 1000;
        double[] x = random(rng, batch * 3, -1, 1);
        double[] t = random(rng, batch * 2, -1, 1);
        ReferenceMlp ref = new ReferenceMlp(net);
        try (Backend be = open(Precision.FP64);
                Trainer tr = new Trainer(be, net, batch)) {
            double expected = ref.loss(rows(x, 3, 0, batch), rows(t, 2, 0, batch));
            assertEquals(
                    expected,
                    tr.loss(x, t, 0, batch),
                    Tolerance.FP64_REORDERED.bound(expected),
                    "loss over 1000 samples");
            double[] firstTwo = tr.predict(x, 0, 2);
            assertEquals(4, firstTwo.length);
            double[] third = tr.predict(x, 2, 1);
            assertEquals(2, third.length);
        }
    }

    // A network small enough to be fused trains without the per-layer buffers, which its first
    // evaluation then allocates: loss, predictions and a traced step afterwards are still right.
    @Test
    void evaluationAfterFusedStepsMatchesTheReference() {
        SplittableRandom rng = new SplittableRandom(5);
        Network net = randomNetwork(
                rng, new int[] {2, 2, 2}, new Activation[] {Activation.SIGMOID, Activation.SIGMOID}, true);
        int batch = 50;
        double[] x = random(rng, batch * 2, -1, 1);
        double[] t = random(rng, batch * 2, 0, 1);
        try (Backend be = open(Precision.FP64);
                Trainer tr = new Trainer(be, net, batch)) {
            for (int k = 0; k < 3; k++) {
                tr.step(x, t, 0, batch, 0.5);
            }
            ReferenceMlp ref = new ReferenceMlp(tr.network());
            double expected = ref.loss(rows(x, 2, 0, batch), rows(t, 2, 0, batch));
            // the same sums in another order: FP64 rounding only
            assertEquals(
                    expected,
                    tr.loss(x, t, 0, batch),
                    Tolerance.FP64_REORDERED.bound(expected),
                    "loss after fused steps");
            Compare.close(
                    "predictions after fused steps",
                    ref.outputs(rows(x, 2, 0, batch)),
                    tr.predict(x, 0, batch),
                    Tolerance.FP64_TRAINED);
            StepTrace trace = tr.traceStep(x, t, 0, batch, 0.5);
            assertEquals(expected, trace.loss(), Tolerance.FP64_REORDERED.bound(expected), "traced step's loss");
        }
    }

    @Test
    void divergenceStopsTrainingAndNamesTheStep() {
        Network net = randomNetwork(
                new SplittableRandom(4),
                new int[] {1, 4, 1},
                new Activation[] {Activation.RELU, Activation.IDENTITY},
                true);
        Dataset data = new Dataset("huge", 4, 1, 1, new double[] {1e150, -1e150, 1e150, 3}, new double[] {1, 2, 3, 4});
        try (Backend be = open(Precision.FP64);
                Trainer tr = new Trainer(be, net, 2)) {
            TrainingDivergedException e = assertThrows(
                    TrainingDivergedException.class,
                    () -> TrainingLoop.run(tr, data, new TrainingLoop.Options(3, 2, 10.0, false, 1), null));
            assertEquals(1, e.epoch());
            assertTrue(e.getMessage().contains("epoch 1, step"), e.getMessage());
        }
    }

    // A batch split into micro-batches against the same batch in one piece: the gradients are the
    // same sums taken in another order, so FP64 results agree to rounding (Tolerance.FP64_TRAINED).
    @Test
    void aBatchSplitIntoMicroBatchesStepsLikeTheWholeBatch() {
        SplittableRandom rng = new SplittableRandom(21);
        Network net = randomNetwork(
                rng,
                new int[] {16, 64, 32, 4},
                new Activation[] {Activation.TANH, Activation.SIGMOID, Activation.IDENTITY},
                true);
        int batch = 1000;
        int samples = 2 * batch + 123; // the last batch of the epoch is shorter, and splits unevenly
        Dataset data =
                new Dataset("random", samples, 16, 4, random(rng, samples * 16, -1, 1), random(rng, samples * 4, 0, 1));
        Network[] trained = new Network[2];
        double[] losses = new double[2];
        int[] capacities = {batch, 111}; // whole, and 10 micro-batches of at most 111 samples
        for (int c = 0; c < 2; c++) {
            try (Backend be = open(Precision.FP64);
                    Trainer tr = new Trainer(be, net, capacities[c])) {
                TrainingLoop.Result r =
                        TrainingLoop.run(tr, data, new TrainingLoop.Options(2, batch, 0.5, true, 3), null);
                trained[c] = tr.network();
                losses[c] = r.lastLoss();
            }
        }
        for (int l = 0; l < net.depth(); l++) {
            Compare.close(
                    "micro-batched layer " + (l + 1) + " weights",
                    trained[0].layer(l).weights(),
                    trained[1].layer(l).weights(),
                    Tolerance.FP64_TRAINED);
            Compare.close(
                    "micro-batched layer " + (l + 1) + " bias",
                    trained[0].layer(l).bias(),
                    trained[1].layer(l).bias(),
                    Tolerance.FP64_TRAINED);
        }
        assertEquals(losses[0], losses[1], Tolerance.FP64_TRAINED.bound(losses[0]), "the epoch losses");
    }

    // Steps on a resident batch (the first run directly, the next recorded, then replayed, and
    // recorded again when the learning rate changes) are the same operations as steps that upload the
    // batch each time, so they give the same bits.
    @ParameterizedTest(name = "widths {0}")
    @MethodSource("residentCases")
    void stepsOnAResidentBatchEqualStepsThatUploadIt(int[] widths, Activation[] acts, boolean bias) {
        SplittableRandom rng = new SplittableRandom(widths.length * 5L + widths[1]);
        Network net = randomNetwork(rng, widths, acts, bias);
        int n = 37;
        double[] x = random(rng, n * net.inputs(), -1, 1);
        double[] t = random(rng, n * net.outputs(), 0, 1);
        double[] rates = {0.5, 0.5, 0.5, 0.5, 0.25, 0.25};
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            try (Backend be = open(p);
                    Trainer streamed = new Trainer(be, net, n);
                    Trainer kept = new Trainer(be, net, n)) {
                ResidentBatch batch = kept.keep(new Dataset("x", n, net.inputs(), net.outputs(), x, t), 0, n);
                for (int k = 0; k < rates.length; k++) {
                    double expected = streamed.step(x, t, 0, n, rates[k]);
                    kept.queueStep(batch, rates[k]);
                    assertEquals(expected, kept.lastLoss(), 0.0, p + " loss of step " + (k + 1));
                }
                for (int l = 0; l < net.depth(); l++) {
                    assertArrayEquals(
                            streamed.network().layer(l).weights(),
                            kept.network().layer(l).weights(),
                            p + " layer " + (l + 1) + " weights after the steps");
                }
                batch.close();
                assertThrows(IllegalArgumentException.class, () -> kept.queueStep(batch, 0.5));
                assertThrows(
                        IllegalArgumentException.class,
                        () -> kept.keep(new Dataset("x", n, net.inputs(), net.outputs(), x, t), 0, n + 1));
            }
        }
    }

    static Stream<Arguments> residentCases() {
        return Stream.of(
                Arguments.of(new int[] {2, 2, 2}, new Activation[] {Activation.SIGMOID, Activation.SIGMOID}, false),
                Arguments.of(new int[] {5, 19, 3}, new Activation[] {Activation.RELU, Activation.SIGMOID}, true));
    }

    @Test
    void lossAndPredictionsOverMicroBatchesMatchOnePiece() {
        SplittableRandom rng = new SplittableRandom(22);
        Network net =
                randomNetwork(rng, new int[] {5, 9, 3}, new Activation[] {Activation.RELU, Activation.SIGMOID}, true);
        int n = 257;
        double[] x = random(rng, n * 5, -1, 1);
        double[] t = random(rng, n * 3, 0, 1);
        try (Backend be = open(Precision.FP64);
                Trainer whole = new Trainer(be, net, n);
                Trainer parts = new Trainer(be, net, 16)) {
            double loss = whole.loss(x, t, 0, n);
            assertEquals(loss, parts.loss(x, t, 0, n), Tolerance.FP64_REORDERED.bound(loss));
            Compare.close("predictions", whole.predict(x, 0, n), parts.predict(x, 0, n), Tolerance.FP64_REORDERED);
        }
    }
}

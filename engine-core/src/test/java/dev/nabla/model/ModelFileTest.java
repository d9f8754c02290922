package dev.nabla.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import dev.nabla.backend.Activation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    private static final String CONTRACT = """
            {"loss": "mse",
             "layers": [
               {"inputs": 2, "outputs": 2, "activation": "sigmoid", "weights": [[0.30, 0.25], [0.40, 0.35]]},
               {"inputs": 2, "outputs": 2, "activation": "sigmoid", "weights": [[0.45, 0.40], [0.70, 0.60]], "bias": [0.0, 0.0]}
             ]}
            """;

    @Test
    void aCheckpointIsRefusedAsModelJsonAndSaysWhatItIs(@TempDir Path dir) throws IOException {
        Network n = ModelFile.parse(CONTRACT, "model.json", 0);
        byte[] checkpoint = Checkpoint.bytes(n, false, java.util.Map.of());
        for (String name : new String[] {"m.safetensors", "m.json"}) {
            Path f = Files.write(dir.resolve(name), checkpoint);
            assertTrue(Checkpoint.isCheckpoint(f), name);
            InputException e = assertThrows(InputException.class, () -> ModelFile.read(f, 0));
            assertEquals(f + ": a .safetensors checkpoint, not model JSON (Checkpoint.read reads it)", e.getMessage());
        }
        assertFalse(Checkpoint.isCheckpoint(Files.writeString(dir.resolve("j.json"), CONTRACT)));
        assertFalse(Checkpoint.isCheckpoint(dir.resolve("missing.json")));
    }

    @Test
    void readsTheContractsExample() {
        Network n = ModelFile.parse(CONTRACT, "model.json", 0);
        assertEquals(Loss.MSE, n.loss());
        assertEquals(2, n.depth());
        Layer hidden = n.layer(0);
        assertEquals(Activation.SIGMOID, hidden.activation());
        assertEquals(0.25, hidden.weight(0, 1), 0.0, "weights[j][i] is from input i to unit j");
        assertEquals(0.40, hidden.weight(1, 0), 0.0);
        assertFalse(hidden.hasBias(), "a layer without bias has none");
        assertArrayEquals(new double[] {0, 0}, n.layer(1).bias(), 0.0);
    }

    @Test
    void roundTripsEveryDoubleExactly() {
        SplittableRandom rng = new SplittableRandom(11);
        double[] specials = {
            0.1,
            1.0 / 3,
            -0.0,
            0.0,
            Double.MIN_VALUE,
            Double.MIN_NORMAL,
            Double.MAX_VALUE,
            -1e-300,
            123456789.123456789,
            1e22,
            2.5e-8,
            Math.PI,
            Math.nextUp(1.0)
        };
        double[] w = new double[5 * 4];
        for (int k = 0; k < w.length; k++) {
            w[k] = k < specials.length ? specials[k] : rng.nextDouble(-1, 1) * Math.pow(10, rng.nextInt(-20, 20));
        }
        double[] b = {Math.nextDown(0.5), -7.0e-15, 3, 1e-310, -2};
        Network n = new Network(
                Loss.MSE,
                List.of(
                        new Layer(4, 5, Activation.TANH, w, b),
                        new Layer(5, 2, Activation.IDENTITY, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, null)));
        Network back = ModelFile.parse(ModelFile.toJson(n), "x.json", 0);
        assertEquals(n, back);
        double[] w2 = back.layer(0).weights();
        for (int k = 0; k < w.length; k++) {
            assertEquals(Double.doubleToRawLongBits(w[k]), Double.doubleToRawLongBits(w2[k]), "bits of weight " + k);
        }
        assertNull(back.layer(1).bias());
    }

    @Test
    void writesThroughATemporaryFileAndLeavesNothingElse(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.json");
        Files.writeString(f, "old");
        Network n = ModelFile.parse(CONTRACT, "model.json", 0);
        ModelFile.write(n, f);
        assertEquals(n, ModelFile.read(f, 0));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "no temporary file left behind");
        }
    }

    @Test
    void missingWeightsAreDrawnFromTheSeedPerLayer() {
        String json = "{\"layers\": [{\"inputs\": 3, \"outputs\": 4, \"activation\": \"relu\"},"
                + " {\"inputs\": 4, \"outputs\": 1, \"activation\": \"identity\"}]}";
        Network a = ModelFile.parse(json, "m", 5);
        assertEquals(a, ModelFile.parse(json, "m", 5), "same seed, same weights");
        assertNotEquals(a, ModelFile.parse(json, "m", 6));
        double r = Math.sqrt(6.0 / (3 + 4));
        for (double v : a.layer(0).weights()) {
            assertTrue(v >= -r && v < r, "Glorot uniform bound " + r + ": " + v);
        }
        String givenFirst = "{\"layers\": [{\"inputs\": 3, \"outputs\": 4, \"activation\": \"relu\", \"weights\": "
                + "[[1,1,1],[1,1,1],[1,1,1],[1,1,1]]}, {\"inputs\": 4, \"outputs\": 1, \"activation\": \"identity\"}]}";
        assertEquals(
                a.layer(1),
                ModelFile.parse(givenFirst, "m", 5).layer(1),
                "a layer's drawn weights do not depend on whether another layer's were given");
    }

    @Test
    void aBiasOfTrueStartsAtZeroAndFalseMeansNone() {
        String json = "{\"layers\": [{\"inputs\": 3, \"outputs\": 2, \"activation\": \"tanh\", \"bias\": true},"
                + " {\"inputs\": 2, \"outputs\": 1, \"activation\": \"identity\", \"bias\": false}]}";
        Network n = ModelFile.parse(json, "m", 3);
        assertArrayEquals(new double[] {0, 0}, n.layer(0).bias(), 0.0);
        assertNull(n.layer(1).bias());
        assertEquals(ModelFile.parse(json.replace(", \"bias\": false", ""), "m", 3), n, "false is no bias");
    }

    /** Checkpoints record the architecture as model JSON without parameters, which reads back as a model file. */
    @Test
    void theArchitectureIsAModelFileWithoutParameters() {
        Network net = Network.builder(5)
                .dense(4, Activation.RELU, true)
                .dense(2, Activation.SIGMOID, false)
                .build(9);
        String arch = ModelFile.architecture(net);
        assertFalse(arch.contains("weights"), arch);
        Network back = ModelFile.parse(arch, "arch", 9);
        assertEquals(net, back, "the same shapes, activations and biases; weights drawn from the same seed");
    }

    @Test
    void rejectsWithThePlaceOfTheMistake() {
        assertMessage("{\"layers\": []}", "m:1:12: \"layers\" is empty");
        assertMessage("{\"loss\": \"mse\"}", "m:1:1: the model has no \"layers\"");
        assertMessage("[1]", "m:1:1: the model must be an object, not an array");
        assertMessage(
                "{\"layers\": [{\"inputs\": 2, \"outputs\": 0, \"activation\": \"relu\"}]}",
                "m:1:38: layer 1 outputs must be a whole number of at least 1, not 0");
        assertMessage(
                "{\"layers\": [{\"inputs\": 2.5, \"outputs\": 1, \"activation\": \"relu\"}]}",
                "layer 1 inputs must be a whole number of at least 1, not 2.5");
        assertMessage(
                "{\"layers\": [{\"inputs\": 1, \"outputs\": 1, \"activation\": \"relu\", \"bais\": [1]}]}",
                "m:1:71: unknown key \"bais\" in layer 1");
        assertMessage("{\"layers\": [{\"inputs\": 1, \"outputs\": 1}]}", "m:1:13: layer 1 has no \"activation\"");
        assertMessage(
                "{\"layers\": [{\"inputs\": 1, \"outputs\": 1, \"activation\": \"relu\", \"bias\": \"yes\"}]}",
                "m:1:71: layer 1 bias must be an array of values, true or false, not a string");
        assertMessage(
                "{\"layers\": [{\"inputs\": 1, \"outputs\": 1, \"activation\": 3}]}",
                "m:1:55: layer 1 activation must be a string, not a number");
        assertMessage(
                "{\"layers\": [{\"inputs\": 1, \"outputs\": 1, \"activation\": \"relu\", \"weights\": [[\"1\"]]}]}",
                "layer 1 weights row 1 entry 1 must be a number, not a string");
        assertMessage(
                "{\"layers\": [{\"inputs\": 1, \"outputs\": 1, \"activation\": \"relu\", \"weights\": [[1e999]]}]}",
                "layer 1 weights row 1 entry 1 is out of the range of a double");
    }

    private static void assertMessage(String json, String expected) {
        InputException e = assertThrows(InputException.class, () -> ModelFile.parse(json, "m", 0));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    private static final String STANDARDIZED = """
            {"loss": "mse",
             "layers": [{"inputs": 2, "outputs": 1, "activation": "identity", "weights": [[0.5, -1]]}],
             "standardize": {"mean": [3, -0.25], "scale": [2, 1e-3]}}
            """;

    @Test
    void standardizeReadsAndRoundTripsTheMeansAndScales() {
        Network n = ModelFile.parse(STANDARDIZED, "model.json", 0);
        assertArrayEquals(new double[] {3, -0.25}, n.inputScaling().mean(), 0.0);
        assertArrayEquals(new double[] {2, 1e-3}, n.inputScaling().scale(), 0.0);
        assertTrue(n.describe().endsWith(", inputs standardized"), n.describe());
        Network back = ModelFile.parse(ModelFile.toJson(n), "again.json", 0);
        assertEquals(n, back);
        assertNotEquals(n, n.withInputScaling(null));
        assertNull(ModelFile.parse(CONTRACT, "model.json", 0).inputScaling());
        assertFalse(ModelFile.toJson(n.withInputScaling(null)).contains("standardize"));
        assertFalse(ModelFile.architecture(n).contains("standardize"), "an architecture holds no parameters");
    }

    @Test
    void standardizeOfTheWrongLengthOrANonPositiveScaleIsAnErrorAtItsPlace() {
        InputException e = assertThrows(
                InputException.class,
                () -> ModelFile.parse(STANDARDIZED.replace("[3, -0.25]", "[3, -0.25, 1]"), "m.json", 0));
        assertEquals("m.json:3:26: standardize mean has 3 values, but the first layer has 2 inputs", e.getMessage());
        InputException s = assertThrows(
                InputException.class, () -> ModelFile.parse(STANDARDIZED.replace("1e-3", "0"), "m.json", 0));
        assertTrue(s.getMessage().startsWith("m.json:3:"), s.getMessage());
        assertTrue(
                s.getMessage().endsWith("standardize scale entry 2 is 0.0; a scale must be positive and finite"),
                s.getMessage());
        InputException k = assertThrows(
                InputException.class, () -> ModelFile.parse(STANDARDIZED.replace("\"scale\"", "\"std\""), "m.json", 0));
        assertTrue(k.getMessage().contains("unknown key \"std\" in standardize (known: mean, scale)"), k.getMessage());
    }
}

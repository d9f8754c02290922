package dev.nabla.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Optimizer;
import dev.nabla.json.JsonNode;
import dev.nabla.json.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints follow the safetensors format exactly, round-trip bit for bit, and refuse damage. */
class CheckpointTest {
    @TempDir
    Path dir;

    private static final Network NET = new Network(
            Loss.MSE,
            List.of(
                    new Layer(3, 2, Activation.TANH, new double[] {0.1, -0.2, 1.0 / 3, 4e-300, -0.0, 7}, new double[] {
                        0.5, -1.5
                    }),
                    new Layer(2, 1, Activation.SIGMOID, new double[] {Math.PI, Math.E}, null)));

    @Test
    void roundTripsWeightsAndMetadataBitForBit() {
        Path f = dir.resolve("c.safetensors");
        Checkpoint.write(f, NET, false, Map.of("nabla.epoch", "3", "nabla.seed", "42"));
        Checkpoint c = Checkpoint.read(f);
        assertEquals(NET, c.network());
        assertEquals("3", c.get("nabla.epoch"));
        assertEquals("42", c.metadata().get("nabla.seed"));
        double[] w = c.network().layer(0).weights();
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(w[4]));
    }

    @Test
    void roundTripsTheOptimizersStateNamedAfterItsParameters() throws IOException {
        Optimizer adam = Optimizer.adam(0.9, 0.999, 1e-8, 0);
        List<double[]> tensors = List.of(
                new double[] {1, 2, 3, 4, 5, 6},
                new double[] {1e-9, 2e-9, 3e-9, 4e-9, 5e-9, 6e-9},
                new double[] {-1, 1},
                new double[] {0.5, 0.25},
                new double[] {Math.PI, -Math.E},
                new double[] {1e-300, 7});
        OptimizerState state = new OptimizerState(adam, 17, tensors);
        Path f = dir.resolve("adam.safetensors");
        Checkpoint.write(f, NET, state, false, Map.of());
        Checkpoint c = Checkpoint.read(f);
        assertEquals(NET, c.network());
        OptimizerState back = c.optimizerState(adam, f.toString());
        assertEquals(17, back.steps());
        for (int k = 0; k < tensors.size(); k++) {
            assertArrayEquals(tensors.get(k), back.tensors().get(k), "state tensor " + k);
        }
        String header = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        for (String name : List.of(
                "optimizer.layers.0.weight.exp_avg",
                "optimizer.layers.0.weight.exp_avg_sq",
                "optimizer.layers.0.bias.exp_avg",
                "optimizer.layers.0.bias.exp_avg_sq",
                "optimizer.layers.1.weight.exp_avg",
                "optimizer.layers.1.weight.exp_avg_sq")) {
            assertTrue(header.contains("\"" + name + "\""), name);
        }
        InputException e =
                assertThrows(InputException.class, () -> c.optimizerState(Optimizer.sgd(0.9, false, 0), f.toString()));
        assertTrue(e.getMessage().contains("no tensor optimizer.layers.0.weight.momentum"), e.getMessage());
        Path plain = dir.resolve("sgd.safetensors");
        Checkpoint.write(plain, NET, false, Map.of());
        InputException missing =
                assertThrows(InputException.class, () -> Checkpoint.read(plain).optimizerState(adam, plain.toString()));
        assertTrue(missing.getMessage().contains("the adam state the run needs"), missing.getMessage());
        assertEquals(
                0,
                Checkpoint.read(plain)
                        .optimizerState(Optimizer.SGD, "x")
                        .tensors()
                        .size());
    }

    @Test
    void singlePrecisionStoresF32() throws IOException {
        Network f32 = new Network(Loss.MSE, List.of(new Layer(1, 2, Activation.RELU, new double[] {0.5f, 0.1f}, null)));
        Path f = dir.resolve("c32.safetensors");
        Checkpoint.write(f, f32, true, Map.of());
        assertEquals(f32, Checkpoint.read(f).network());
        assertTrue(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains("\"dtype\": \"F32\""));
    }

    /** Reads our file with nothing but the format's description: length, JSON header, offsets, little-endian data. */
    @Test
    void theFileIsSafetensorsByTheFormatsDescription() throws IOException {
        Path f = dir.resolve("c.safetensors");
        Checkpoint.write(f, NET, false, Map.of());
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "the data starts 8-byte aligned");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        Map<String, JsonNode> h = JsonParser.parse(header, "header").asObject("header");
        assertEquals(
                List.of("layers.0.weight", "layers.0.bias", "layers.1.weight", "__metadata__"),
                List.copyOf(h.keySet()));
        Map<String, JsonNode> w0 = h.get("layers.0.weight").asObject("t");
        assertEquals("F64", w0.get("dtype").value());
        assertEquals(
                List.of(2.0, 3.0),
                w0.get("shape").asArray("s").stream().map(JsonNode::value).toList());
        List<JsonNode> off =
                h.get("layers.1.weight").asObject("t").get("data_offsets").asArray("o");
        int begin = (int) off.get(0).asDouble("b");
        int end = (int) off.get(1).asDouble("e");
        assertEquals(16, end - begin);
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) (8 + n + begin), 16).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(Math.PI, data.getDouble());
        assertEquals(Math.E, data.getDouble());
        assertEquals(bytes.length, 8 + n + end, "the last tensor ends the file");
        for (JsonNode v : h.get("__metadata__").asObject("m").values()) {
            assertTrue(v.value() instanceof String, "metadata values are strings");
        }
    }

    /** A file made by hand from the format's description, as another tool would write it (no padding, no CRC). */
    @Test
    void readsAFileBuiltByHand() throws IOException {
        String arch = "{\\\"loss\\\": \\\"mse\\\", \\\"layers\\\": [{\\\"inputs\\\": 2, \\\"outputs\\\": 1, "
                + "\\\"activation\\\": \\\"identity\\\", \\\"bias\\\": true}]}";
        String header = "{\"layers.0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]},"
                + "\"layers.0.weight\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[0,16]},"
                + "\"__metadata__\":{\"nabla.architecture\":\"" + arch + "\"}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 20).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putDouble(1.5).putDouble(-2.25).putFloat(0.75f);
        Path f = Files.write(dir.resolve("hand.safetensors"), b.array());
        Network n = Checkpoint.read(f).network();
        assertArrayEquals(new double[] {1.5, -2.25}, n.layer(0).weights(), 0.0);
        assertArrayEquals(new double[] {0.75}, n.layer(0).bias(), 0.0);
        assertEquals(Activation.IDENTITY, n.layer(0).activation());
    }

    /** A data path outside ASCII takes more bytes than characters; the data section stays aligned and intact. */
    @Test
    void aNonAsciiDataPathKeepsTheFileValid() throws IOException {
        Path f = dir.resolve("c.safetensors");
        Checkpoint.write(f, NET, false, Map.of("nabla.data", "/données/训练集-é.csv"));
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "the data starts 8-byte aligned");
        Checkpoint c = Checkpoint.read(f);
        assertEquals(NET, c.network());
        assertEquals("/données/训练集-é.csv", c.get("nabla.data"));
    }

    /** The architecture is model JSON without parameters: one that carries weights is not Nabla's. */
    @Test
    void refusesAnArchitectureThatCarriesWeights() throws IOException {
        String arch = "{\\\"layers\\\": [{\\\"inputs\\\": 1, \\\"outputs\\\": 1, \\\"activation\\\": "
                + "\\\"identity\\\", \\\"weights\\\": [[3]]}]}";
        String header = "{\"layers.0.weight\":{\"dtype\":\"F64\",\"shape\":[1,1],\"data_offsets\":[0,8]},"
                + "\"__metadata__\":{\"nabla.architecture\":\"" + arch + "\"}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putDouble(1.5);
        refused(b.array(), "an architecture has only \"bias\": true or false");
    }

    private void refused(byte[] bytes, String message) throws IOException {
        Path f = Files.write(dir.resolve("bad.safetensors"), bytes);
        InputException e = assertThrows(InputException.class, () -> Checkpoint.read(f));
        assertTrue(e.getMessage().startsWith(f + ": not a valid checkpoint: "), e.getMessage());
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
    }

    @Test
    void refusesACheckpointCutInHalf() throws IOException {
        byte[] good = Checkpoint.bytes(NET, false, Map.of());
        refused(Arrays.copyOf(good, good.length / 2), "");
        refused(Arrays.copyOf(good, good.length - 1), "");
        refused(Arrays.copyOf(good, 5), "shorter than the 8-byte header length");
    }

    @Test
    void refusesEveryFlippedByteOfTheHeader() throws IOException {
        byte[] good = Checkpoint.bytes(NET, false, Map.of("nabla.epoch", "7"));
        long n = ByteBuffer.wrap(good, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        for (int i = 0; i < 8 + n; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            Path f = Files.write(dir.resolve("flip.safetensors"), bad);
            int at = i;
            InputException e = assertThrows(InputException.class, () -> Checkpoint.read(f), () -> "byte " + at);
            assertTrue(e.getMessage().contains("not a valid checkpoint"), e.getMessage());
        }
    }

    @Test
    void refusesDamagedData() throws IOException {
        byte[] bad = Checkpoint.bytes(NET, false, Map.of());
        bad[bad.length - 3] ^= 0x40;
        refused(bad, "the file is damaged");
    }

    @Test
    void refusesInconsistentTensors() throws IOException {
        String header = "{\"layers.0.weight\":{\"dtype\":\"F64\",\"shape\":[1,2],\"data_offsets\":[0,8]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 8).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putDouble(1);
        refused(b.array(), "needs 16 bytes, but its data_offsets are [0, 8]");
        String i8 = "{\"x\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        byte[] h2 = i8.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b2 = ByteBuffer.allocate(8 + h2.length + 1).order(ByteOrder.LITTLE_ENDIAN);
        b2.putLong(h2.length).put(h2).put((byte) 1);
        refused(b2.array(), "dtype I8");
    }

    @Test
    void keepsTheInputsStandardizationAsF64TensorsInEitherPrecision() throws IOException {
        Network n = NET.withInputScaling(
                dev.nabla.data.InputScaling.of(new double[] {0.1, -2, 1e5}, new double[] {1.0 / 3, 1, 7e4}));
        for (boolean single : new boolean[] {false, true}) {
            Path f = dir.resolve("s" + single + ".safetensors");
            Network stored = single ? NET : n;
            if (single) { // F32 tensors need exact floats; the scaling stays F64
                stored = new Network(
                                Loss.MSE,
                                List.of(
                                        new Layer(3, 2, Activation.TANH, new double[] {0.5, -0.25, 1, 2, 0, 7}, null),
                                        new Layer(2, 1, Activation.SIGMOID, new double[] {1.5, 3}, null)))
                        .withInputScaling(n.inputScaling());
            }
            Checkpoint.write(f, stored, single, Map.of());
            Checkpoint c = Checkpoint.read(f);
            assertEquals(stored, c.network(), "precision " + (single ? "F32" : "F64"));
            assertArrayEquals(
                    n.inputScaling().mean(), c.network().inputScaling().mean(), 0.0);
            String header = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
            assertTrue(header.contains("\"standardize.scale\": {\"dtype\": \"F64\", \"shape\": [3]"), header);
        }
    }
}

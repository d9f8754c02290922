package dev.nabla.model;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.backend.Activation;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.InputFiles;
import dev.nabla.json.JsonNode;
import dev.nabla.json.JsonParser;
import dev.nabla.json.JsonWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The model file: a network as JSON.
 *
 * <pre>
 * {"loss": "mse",
 *  "layers": [
 *    {"inputs": 2, "outputs": 2, "activation": "sigmoid", "weights": [[0.30, 0.25], [0.40, 0.35]]},
 *    {"inputs": 2, "outputs": 2, "activation": "sigmoid", "weights": [[0.45, 0.40], [0.70, 0.60]], "bias": [0.0, 0.0]}
 *  ]}
 * </pre>
 *
 * {@code weights[j][i]} is the weight from input {@code i} to unit {@code j}. {@code weights} is
 * optional (then drawn Glorot-uniform from the seed), {@code bias} is optional (a layer without it
 * has none), {@code loss} is optional (default {@code mse}). Any other key is an error, so that a
 * misspelt key is never silently ignored. Written files print every number so that it reads back
 * to the identical double.
 */
public final class ModelFile {
    private static final Set<String> TOP_KEYS = Set.of("loss", "layers");
    private static final Set<String> LAYER_KEYS = Set.of("inputs", "outputs", "activation", "weights", "bias");

    private ModelFile() {
    }

    /** Reads a model file; layers without weights get Glorot-uniform weights drawn from {@code seed}. */
    public static Network read(Path file, long seed) {
        return parse(InputFiles.readString(file), file.toString(), seed);
    }

    /** Parses model JSON; {@code source} names it in messages. */
    public static Network parse(String json, String source, long seed) {
        JsonNode root = JsonParser.parse(json, source);
        Map<String, JsonNode> top = root.asObject("the model");
        checkKeys(top, TOP_KEYS, "the model");

        Loss loss = Loss.MSE;
        JsonNode lossNode = top.get("loss");
        if (lossNode != null) {
            loss = parseOr(lossNode, () -> Loss.parse(lossNode.asString("loss")));
        }
        JsonNode layersNode = top.get("layers");
        if (layersNode == null) {
            throw root.error("the model has no \"layers\"");
        }
        List<JsonNode> layerNodes = layersNode.asArray("layers");
        if (layerNodes.isEmpty()) {
            throw layersNode.error("\"layers\" is empty; a network needs at least one layer");
        }
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < layerNodes.size(); l++) {
            Layer layer = layer(layerNodes.get(l), "layer " + (l + 1), seed, l);
            if (l > 0 && layer.inputs() != layers.get(l - 1).outputs()) {
                throw layerNodes.get(l).error("layer " + (l + 1) + " has " + Plural.of(layer.inputs(), "input") + ", but layer " + l
                        + " has " + Plural.of(layers.get(l - 1).outputs(), "output") + "; layer sizes must chain");
            }
            layers.add(layer);
        }
        return new Network(loss, layers);
    }

    private static Layer layer(JsonNode node, String name, long seed, int index) {
        Map<String, JsonNode> m = node.asObject(name);
        checkKeys(m, LAYER_KEYS, name);
        int inputs = required(node, m, "inputs", name).asInt(name + " inputs", 1);
        int outputs = required(node, m, "outputs", name).asInt(name + " outputs", 1);
        if ((long) inputs * outputs > Integer.MAX_VALUE) {
            throw node.error(name + " has " + inputs + " x " + outputs + " weights, more than one matrix can hold");
        }
        JsonNode actNode = required(node, m, "activation", name);
        Activation activation = parseOr(actNode, () -> Activation.parse(actNode.asString(name + " activation")));

        double[] weights;
        JsonNode wNode = m.get("weights");
        if (wNode == null) {
            weights = Network.glorotUniform(inputs, outputs, Network.layerRandom(seed, index));
        } else {
            List<JsonNode> rows = wNode.asArray(name + " weights");
            if (rows.size() != outputs) {
                throw wNode.error(name + " weights has " + Plural.of(rows.size(), "row") + ", but the layer has "
                        + Plural.of(outputs, "output") + " (one row per output, one column per input)");
            }
            weights = new double[inputs * outputs];
            for (int j = 0; j < outputs; j++) {
                double[] row = numbers(rows.get(j), inputs, name + " weights row " + (j + 1), "column",
                        "the layer has " + Plural.of(inputs, "input"));
                System.arraycopy(row, 0, weights, j * inputs, inputs);
            }
        }
        JsonNode bNode = m.get("bias");
        double[] bias = bNode == null ? null
                : numbers(bNode, outputs, name + " bias", "value", "the layer has " + Plural.of(outputs, "output"));
        return new Layer(inputs, outputs, activation, weights, bias);
    }

    private static double[] numbers(JsonNode node, int expected, String what, String noun, String why) {
        List<JsonNode> items = node.asArray(what);
        if (items.size() != expected) {
            throw node.error(what + " has " + Plural.of(items.size(), noun) + ", but " + why);
        }
        double[] out = new double[expected];
        for (int k = 0; k < expected; k++) {
            out[k] = items.get(k).asDouble(what + " entry " + (k + 1));
        }
        return out;
    }

    private static JsonNode required(JsonNode node, Map<String, JsonNode> m, String key, String name) {
        JsonNode v = m.get(key);
        if (v == null) {
            throw node.error(name + " has no \"" + key + "\"");
        }
        return v;
    }

    private static void checkKeys(Map<String, JsonNode> m, Set<String> known, String name) {
        for (Map.Entry<String, JsonNode> e : m.entrySet()) {
            if (!known.contains(e.getKey())) {
                throw e.getValue().error("unknown key \"" + e.getKey() + "\" in " + name + " (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    /** Runs a parse whose failure message lacks a place, and puts the node's place in front. */
    private static <T> T parseOr(JsonNode node, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InputException e) {
            if (e.getMessage().startsWith(node.source() + ":")) {
                throw e;
            }
            throw node.error(e.getMessage());
        }
    }

    /** The network as model-file JSON: one layer per line, numbers that read back exactly. */
    public static String toJson(Network network) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"loss\": ").append(JsonWriter.string(network.loss().id())).append(",\n \"layers\": [\n");
        List<Layer> layers = network.layers();
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            sb.append("   {\"inputs\": ").append(layer.inputs())
                    .append(", \"outputs\": ").append(layer.outputs())
                    .append(", \"activation\": ").append(JsonWriter.string(layer.activation().id()))
                    .append(", \"weights\": [");
            for (int j = 0; j < layer.outputs(); j++) {
                sb.append(j == 0 ? "[" : ", [");
                for (int i = 0; i < layer.inputs(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(JsonWriter.number(layer.weight(j, i)));
                }
                sb.append(']');
            }
            sb.append(']');
            if (layer.hasBias()) {
                double[] b = layer.bias();
                sb.append(", \"bias\": [");
                for (int j = 0; j < b.length; j++) {
                    sb.append(j == 0 ? "" : ", ").append(JsonWriter.number(b[j]));
                }
                sb.append(']');
            }
            sb.append(l + 1 < layers.size() ? "},\n" : "}\n");
        }
        return sb.append(" ]}\n").toString();
    }

    /** Writes the model file through a temporary file and a rename. */
    public static void write(Network network, Path file) {
        AtomicFiles.writeString(file, toJson(network));
    }
}

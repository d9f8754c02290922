package dev.nabla.model;

import dev.nabla.InputException;
import dev.nabla.JavaHeap;
import dev.nabla.Plural;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Optimizer;
import dev.nabla.data.InputScaling;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.InputFiles;
import dev.nabla.json.JsonNode;
import dev.nabla.json.JsonParser;
import dev.nabla.json.JsonWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * optional (then drawn Glorot-uniform from the seed). {@code bias} is optional: an array of values,
 * {@code true} for a bias that starts at zero, {@code false} (or no key) for a layer without one.
 * {@code loss} is optional (default {@code mse}; {@code softmax-cross-entropy} needs a
 * {@code softmax} output layer, {@code binary-cross-entropy} a {@code sigmoid} one). {@code optimizer}
 * is optional: the optimizer to train with unless the trainer is told otherwise, as
 * {@code {"name": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0}} or
 * {@code {"name": "sgd", "momentum": 0.9, "nesterov": true}} (settings left out take PyTorch's
 * defaults). {@code standardize} is optional: {@code {"mean": [...], "scale": [...]}}, one value
 * of each per input of the first layer (each scale positive), the {@link InputScaling} that
 * {@code train --standardize} fitted, applied to the raw inputs before the first layer. Any other
 * key is an error, so that a misspelt key
 * is never silently ignored. Written files print every number so that it reads back to the
 * identical double.
 *
 * <p>A network's <em>architecture</em> is this JSON without the parameters: sizes, activations,
 * {@code "bias": true} or {@code false}, and the loss ({@link #architecture}); checkpoints record it.
 */
public final class ModelFile {
    private static final Set<String> TOP_KEYS = Set.of("loss", "layers", "optimizer", "standardize");
    private static final Set<String> STANDARDIZE_KEYS = Set.of("mean", "scale");
    private static final Set<String> OPTIMIZER_KEYS =
            Set.of("name", "momentum", "nesterov", "beta1", "beta2", "eps", "weight_decay");
    private static final Set<String> LAYER_KEYS = Set.of("inputs", "outputs", "activation", "weights", "bias");

    private ModelFile() {}

    /** Supplies the parameters that model JSON leaves out. */
    interface Parameters {
        /** Row-major {@code outputs x inputs} weights of layer {@code layer} (from 0). */
        double[] weights(int layer, int inputs, int outputs);

        /** The bias of a layer whose JSON says {@code "bias": true}. */
        double[] bias(int layer, int outputs);
    }

    /**
     * Heap that parsing a model file takes, per byte of the file, at the least: the text (read as
     * bytes, then held as a string) and a node of some 50 bytes for each number. Files as Nabla
     * writes them (about 22 bytes a number) were measured to need 4.3 to 4.9 times their size
     * under G1 (a 5.5 MB file a 27 MB heap, 22 MB 101 MB, 201 MB 867 MB); files whose numbers are
     * shorter need more, up to some 38 times for {@code 0,0,...}. A file larger than the free heap
     * over this factor is refused before it is read; one that passes may still run out while
     * parsing, which the command line reports in one line too.
     */
    static final int PARSE_BYTES_PER_FILE_BYTE = 4;

    /** Heap that parsing a model file of {@code fileBytes} bytes takes at the least. */
    static long parseBytes(long fileBytes) {
        return PARSE_BYTES_PER_FILE_BYTE * fileBytes;
    }

    /** Heap that drawing a layer's weights takes: the array drawn, and the layer's own copy of it. */
    static long drawBytes(int inputs, int outputs) {
        return 2L * Double.BYTES * inputs * outputs;
    }

    /** Glorot-uniform weights drawn from {@code seed} (each layer from its own stream) and zero biases. */
    private static Parameters drawn(long seed) {
        return new Parameters() {
            @Override
            public double[] weights(int layer, int inputs, int outputs) {
                JavaHeap.require(
                        drawBytes(inputs, outputs),
                        String.format(
                                Locale.ROOT,
                                "drawing layer %d's %,d x %,d weights (the model file gives none)",
                                layer + 1,
                                outputs,
                                inputs),
                        "use a smaller network");
                return Network.glorotUniform(inputs, outputs, Network.layerRandom(seed, layer));
            }

            @Override
            public double[] bias(int layer, int outputs) {
                return new double[outputs];
            }
        };
    }

    /**
     * Reads a model file; layers without weights get Glorot-uniform weights drawn from {@code seed}.
     * A checkpoint ({@link Checkpoint#isCheckpoint}) is refused, naming what it is.
     */
    public static Network read(Path file, long seed) {
        InputFiles.requireReadableFile(file);
        if (Checkpoint.isCheckpoint(file)) {
            throw new InputException(file + ": a .safetensors checkpoint, not model JSON (Checkpoint.read reads it)");
        }
        requireParseMemory(file);
        return parse(InputFiles.readString(file), file.toString(), seed);
    }

    /** Refuses, before reading it, a model file the heap has too little room to parse ({@link #PARSE_BYTES_PER_FILE_BYTE}). */
    private static void requireParseMemory(Path file) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            return; // reading it says what is wrong
        }
        JavaHeap.require(
                parseBytes(size), String.format(Locale.ROOT, "parsing %s (%,d bytes of model JSON)", file, size));
    }

    /** Parses model JSON; {@code source} names it in messages. */
    public static Network parse(String json, String source, long seed) {
        return parse(json, source, drawn(seed), false);
    }

    /**
     * Parses an {@link #architecture}: model JSON that holds no weights and no bias values, whose
     * parameters all come from {@code parameters}.
     */
    static Network parseArchitecture(String json, String source, Parameters parameters) {
        return parse(json, source, parameters, true);
    }

    private static Network parse(String json, String source, Parameters missing, boolean architecture) {
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
            Layer layer = layer(layerNodes.get(l), "layer " + (l + 1), l, missing, architecture);
            if (l > 0 && layer.inputs() != layers.get(l - 1).outputs()) {
                throw layerNodes
                        .get(l)
                        .error("layer " + (l + 1) + " has " + Plural.of(layer.inputs(), "input") + ", but layer " + l
                                + " has " + Plural.of(layers.get(l - 1).outputs(), "output")
                                + "; layer sizes must chain");
            }
            layers.add(layer);
        }
        Loss chosen = loss;
        JsonNode optimizerNode = top.get("optimizer");
        Optimizer optimizer = optimizerNode == null ? null : optimizer(optimizerNode);
        Network network = parseOr(
                        lossNode != null ? lossNode : layerNodes.get(layerNodes.size() - 1),
                        () -> new Network(chosen, layers))
                .withOptimizer(optimizer);
        JsonNode standardize = top.get("standardize");
        if (standardize == null) {
            return network;
        }
        if (architecture) {
            throw standardize.error("\"standardize\" holds parameter values; an architecture has none");
        }
        return network.withInputScaling(standardize(standardize, network.inputs()));
    }

    /** {@code {"mean": [...], "scale": [...]}}, each of {@code inputs} values. */
    private static InputScaling standardize(JsonNode node, int inputs) {
        Map<String, JsonNode> m = node.asObject("standardize");
        checkKeys(m, STANDARDIZE_KEYS, "standardize");
        String why = "the first layer has " + Plural.of(inputs, "input");
        double[] mean = numbers(required(node, m, "mean", "standardize"), inputs, "standardize mean", "value", why);
        double[] scale = numbers(required(node, m, "scale", "standardize"), inputs, "standardize scale", "value", why);
        return parseOr(node, () -> InputScaling.of(mean, scale));
    }

    /**
     * The {@code "optimizer"} object: {@code name} ({@code sgd}, {@code adam}, {@code adamw}) and
     * any of its settings ({@code momentum}, {@code nesterov} for sgd; {@code beta1},
     * {@code beta2}, {@code eps} for adam and adamw; {@code weight_decay} for all), PyTorch's
     * defaults for the rest.
     */
    private static Optimizer optimizer(JsonNode node) {
        Map<String, JsonNode> m = node.asObject("\"optimizer\"");
        checkKeys(m, OPTIMIZER_KEYS, "\"optimizer\"");
        JsonNode nameNode = m.get("name");
        if (nameNode == null) {
            throw node.error("\"optimizer\" has no \"name\" (sgd, adam or adamw)");
        }
        Optimizer.Kind kind = parseOr(nameNode, () -> Optimizer.Kind.parse(nameNode.asString("the optimizer's name")));
        double decayDefault = kind == Optimizer.Kind.ADAMW ? Optimizer.DEFAULT_ADAMW_WEIGHT_DECAY : 0.0;
        JsonNode nesterovNode = m.get("nesterov");
        if (nesterovNode != null && !(nesterovNode.value() instanceof Boolean)) {
            throw nesterovNode.error("\"nesterov\" must be true or false, not " + nesterovNode.typeName());
        }
        boolean nesterov = nesterovNode != null && (Boolean) nesterovNode.value();
        return parseOr(
                node,
                () -> new Optimizer(
                        kind,
                        number(m, "momentum", 0.0),
                        nesterov,
                        number(m, "beta1", Optimizer.DEFAULT_BETA1),
                        number(m, "beta2", Optimizer.DEFAULT_BETA2),
                        number(m, "eps", Optimizer.DEFAULT_EPS),
                        number(m, "weight_decay", decayDefault)));
    }

    private static double number(Map<String, JsonNode> m, String key, double otherwise) {
        JsonNode n = m.get(key);
        return n == null ? otherwise : n.asDouble("\"" + key + "\"");
    }

    /** The {@code "optimizer"} object of {@link #optimizer(JsonNode)}, every setting of the rule written out. */
    private static String optimizerJson(Optimizer o) {
        StringBuilder sb = new StringBuilder("{\"name\": ")
                .append(JsonWriter.string(o.kind().id()));
        if (o.kind() == Optimizer.Kind.SGD) {
            sb.append(", \"momentum\": ").append(JsonWriter.number(o.momentum()));
            sb.append(", \"nesterov\": ").append(o.nesterov());
        } else {
            sb.append(", \"beta1\": ").append(JsonWriter.number(o.beta1()));
            sb.append(", \"beta2\": ").append(JsonWriter.number(o.beta2()));
            sb.append(", \"eps\": ").append(JsonWriter.number(o.eps()));
        }
        return sb.append(", \"weight_decay\": ")
                .append(JsonWriter.number(o.weightDecay()))
                .append('}')
                .toString();
    }

    private static Layer layer(JsonNode node, String name, int index, Parameters missing, boolean architecture) {
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
        JsonNode bNode = m.get("bias");
        if (architecture && (wNode != null || (bNode != null && !(bNode.value() instanceof Boolean)))) {
            throw node.error(name + " holds parameter values; an architecture has only \"bias\": true or false");
        }
        if (wNode == null) {
            weights = missing.weights(index, inputs, outputs);
        } else {
            List<JsonNode> rows = wNode.asArray(name + " weights");
            if (rows.size() != outputs) {
                throw wNode.error(name + " weights has " + Plural.of(rows.size(), "row") + ", but the layer has "
                        + Plural.of(outputs, "output") + " (one row per output, one column per input)");
            }
            weights = new double[inputs * outputs];
            for (int j = 0; j < outputs; j++) {
                double[] row = numbers(
                        rows.get(j),
                        inputs,
                        name + " weights row " + (j + 1),
                        "column",
                        "the layer has " + Plural.of(inputs, "input"));
                System.arraycopy(row, 0, weights, j * inputs, inputs);
            }
        }
        double[] bias;
        if (bNode == null || Boolean.FALSE.equals(bNode.value())) {
            bias = null;
        } else if (Boolean.TRUE.equals(bNode.value())) {
            bias = missing.bias(index, outputs);
        } else if (bNode.value() instanceof List) {
            bias = numbers(bNode, outputs, name + " bias", "value", "the layer has " + Plural.of(outputs, "output"));
        } else {
            throw bNode.error(name + " bias must be an array of values, true or false, not " + bNode.typeName());
        }
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
                throw e.getValue()
                        .error("unknown key \"" + e.getKey() + "\" in " + name + " (known: "
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

    /**
     * The network's architecture on one line: its model JSON without weights, each layer's bias
     * as {@code true} or {@code false}.
     */
    public static String architecture(Network network) {
        StringBuilder sb = new StringBuilder("{\"loss\": ")
                .append(JsonWriter.string(network.loss().id()))
                .append(", \"layers\": [");
        for (int l = 0; l < network.depth(); l++) {
            Layer layer = network.layer(l);
            sb.append(l == 0 ? "" : ", ");
            shape(sb, layer).append(", \"bias\": ").append(layer.hasBias()).append('}');
        }
        return sb.append("]}").toString();
    }

    /** {@code {"inputs": I, "outputs": O, "activation": "f"}} without its closing brace. */
    private static StringBuilder shape(StringBuilder sb, Layer layer) {
        return sb.append("{\"inputs\": ")
                .append(layer.inputs())
                .append(", \"outputs\": ")
                .append(layer.outputs())
                .append(", \"activation\": ")
                .append(JsonWriter.string(layer.activation().id()));
    }

    /** The network as model-file JSON: one layer per line, numbers that read back exactly. */
    public static String toJson(Network network) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"loss\": ").append(JsonWriter.string(network.loss().id()));
        if (network.optimizer() != null) {
            sb.append(",\n \"optimizer\": ").append(optimizerJson(network.optimizer()));
        }
        sb.append(",\n \"layers\": [\n");
        List<Layer> layers = network.layers();
        for (int l = 0; l < layers.size(); l++) {
            Layer layer = layers.get(l);
            shape(sb.append("   "), layer).append(", \"weights\": [");
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
        sb.append(" ]");
        InputScaling scaling = network.inputScaling();
        if (scaling != null) {
            sb.append(",\n \"standardize\": {\"mean\": ");
            array(sb, scaling.mean()).append(",\n               \"scale\": ");
            array(sb, scaling.scale()).append('}');
        }
        return sb.append("}\n").toString();
    }

    private static StringBuilder array(StringBuilder sb, double[] v) {
        sb.append('[');
        for (int k = 0; k < v.length; k++) {
            sb.append(k == 0 ? "" : ", ").append(JsonWriter.number(v[k]));
        }
        return sb.append(']');
    }

    /** Writes the model file through a temporary file and a rename. */
    public static void write(Network network, Path file) {
        AtomicFiles.writeString(file, toJson(network));
    }
}

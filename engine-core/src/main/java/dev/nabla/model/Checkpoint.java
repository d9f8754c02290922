package dev.nabla.model;

import dev.nabla.InputException;
import dev.nabla.backend.Activation;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.InputFiles;
import dev.nabla.json.JsonNode;
import dev.nabla.json.JsonParser;
import dev.nabla.json.JsonWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A network and the state of the run that trained it, as a {@code .safetensors} file that other
 * tools load: layer {@code l}'s weights are the tensor {@code layers.l.weight} ({@code [O, I]}),
 * its bias {@code layers.l.bias} ({@code [O]}), in {@code F64} or {@code F32}; the architecture,
 * the training position and settings are strings in {@code __metadata__} under {@code nabla.*}.
 *
 * <p>The format: 8 bytes, the header's length {@code N} as a little-endian unsigned 64-bit
 * integer; {@code N} bytes of UTF-8 JSON mapping each tensor name to its {@code dtype},
 * {@code shape} and {@code data_offsets} (begin and end in the data that follows, which the
 * tensors cover exactly), plus an optional {@code __metadata__} object of strings; then the data,
 * little-endian, row-major. The header is padded with spaces to a multiple of 8 bytes.
 *
 * <p>Reading refuses anything inconsistent: a cut-short file, a header that is not such JSON,
 * offsets that leave holes or overlap or pass the end, a shape that does not fit its bytes, and
 * data whose CRC-32 differs from the one written ({@code nabla.crc32}).
 *
 * @param network the network
 * @param metadata the {@code __metadata__} strings, {@code nabla.*} keys among them
 */
public record Checkpoint(Network network, Map<String, String> metadata) {
    /** The metadata key of the architecture (model JSON without weights). */
    public static final String ARCHITECTURE = "nabla.architecture";
    private static final String CRC = "nabla.crc32";
    private static final String CRC_PLACEHOLDER = "00000000";
    private static final String FORMAT = "nabla.format";
    private static final long MAX_HEADER = 100L << 20;

    public Checkpoint {
        metadata = Map.copyOf(metadata);
    }

    /** A metadata value that must be there. */
    public String get(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new InputException("the checkpoint has no " + key);
        }
        return v;
    }

    /**
     * Writes {@code network} with {@code metadata} (string keys and values; the architecture, the
     * format and the CRC-32 are added) through a temporary file, a flush to disk and a rename.
     *
     * @param singlePrecision store the tensors as F32 (they must then be exact floats) instead of F64
     */
    public static void write(Path file, Network network, boolean singlePrecision, Map<String, String> metadata) {
        AtomicFiles.write(file, bytes(network, singlePrecision, metadata));
    }

    /** The file's bytes. */
    public static byte[] bytes(Network network, boolean singlePrecision, Map<String, String> metadata) {
        int item = singlePrecision ? 4 : 8;
        String dtype = singlePrecision ? "F32" : "F64";
        long total = 0;
        for (Layer l : network.layers()) {
            total += l.parameterCount() * item;
        }
        ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(total)).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder header = new StringBuilder("{");
        for (int l = 0; l < network.depth(); l++) {
            Layer layer = network.layer(l);
            tensor(header, "layers." + l + ".weight", dtype, "[" + layer.outputs() + ", " + layer.inputs() + "]",
                    data.position(), layer.weights(), data, singlePrecision);
            if (layer.hasBias()) {
                tensor(header, "layers." + l + ".bias", dtype, "[" + layer.outputs() + "]", data.position(),
                        layer.bias(), data, singlePrecision);
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT, "1");
        meta.put(ARCHITECTURE, architecture(network));
        meta.putAll(metadata);
        meta.put(CRC, CRC_PLACEHOLDER);
        header.append("\"__metadata__\": {");
        boolean first = true;
        for (Map.Entry<String, String> e : meta.entrySet()) {
            header.append(first ? "" : ", ").append(JsonWriter.string(e.getKey())).append(": ")
                    .append(JsonWriter.string(e.getValue()));
            first = false;
        }
        header.append("}}");
        while ((8 + header.length()) % 8 != 0) {
            header.append(' ');
        }
        byte[] head = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + head.length + data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(head.length).put(head).put(data.array());
        byte[] file = out.array();
        int at = crcValueOffset(file, head.length);
        byte[] value = String.format("%08x", crcOf(file)).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(value, 0, file, at, value.length);
        return file;
    }

    /** Where the 8 hex digits of the CRC-32 value sit in the file, or -1 when the header has none. */
    private static int crcValueOffset(byte[] file, long headerLength) {
        byte[] key = ("\"" + CRC + "\": \"").getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 8; i + key.length + 8 <= 8 + headerLength; i++) {
            for (int k = 0; k < key.length; k++) {
                if (file[i + k] != key[k]) {
                    continue outer;
                }
            }
            return i + key.length;
        }
        return -1;
    }

    /** CRC-32 of the whole file with the CRC's own 8 digits read as the placeholder: any changed byte shows. */
    private static long crcOf(byte[] file) {
        CRC32 crc = new CRC32();
        crc.update(file);
        return crc.getValue();
    }

    private static void tensor(StringBuilder header, String name, String dtype, String shape, int begin,
            double[] values, ByteBuffer data, boolean single) {
        for (double v : values) {
            if (single) {
                float f = (float) v;
                if (f != v) {
                    throw new IllegalArgumentException(name + " holds " + v + ", which is not a float");
                }
                data.putFloat(f);
            } else {
                data.putDouble(v);
            }
        }
        header.append(JsonWriter.string(name)).append(": {\"dtype\": \"").append(dtype).append("\", \"shape\": ")
                .append(shape).append(", \"data_offsets\": [").append(begin).append(", ").append(data.position())
                .append("]}, ");
    }

    /** The model JSON of the network's shape: sizes, activations, bias or not, and the loss; no weights. */
    static String architecture(Network network) {
        StringBuilder sb = new StringBuilder("{\"loss\": ").append(JsonWriter.string(network.loss().id()))
                .append(", \"layers\": [");
        for (int l = 0; l < network.depth(); l++) {
            Layer layer = network.layer(l);
            sb.append(l == 0 ? "" : ", ").append("{\"inputs\": ").append(layer.inputs()).append(", \"outputs\": ")
                    .append(layer.outputs()).append(", \"activation\": ").append(JsonWriter.string(layer.activation().id()))
                    .append(", \"bias\": ").append(layer.hasBias()).append('}');
        }
        return sb.append("]}").toString();
    }

    /** Reads and checks a checkpoint. */
    public static Checkpoint read(Path file) {
        InputFiles.requireReadableFile(file);
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw bad(name, "the file is " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            long headerLength = len.getLong(0);
            if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > size - 8) {
                throw bad(name, "the header length " + Long.toUnsignedString(headerLength) + " does not fit a file of "
                        + size + " bytes (the file is cut short, or not a safetensors file)");
            }
            ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(size));
            while (all.hasRemaining() && ch.read(all, all.position()) > 0) {
                // read the whole file
            }
            byte[] bytes = all.array();
            checkCrc(name, bytes, headerLength);
            String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
            byte[] data = Arrays.copyOfRange(bytes, (int) (8 + headerLength), bytes.length);
            return parse(name, header, data);
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
    }

    /**
     * Checks the whole-file CRC-32. Nabla's files (those with {@code nabla.format}) always carry
     * one; a file from another tool may not, and is then checked by its structure alone.
     */
    private static void checkCrc(String name, byte[] bytes, long headerLength) {
        int at = crcValueOffset(bytes, headerLength);
        if (at < 0) {
            String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
            if (header.contains("\"" + FORMAT + "\"")) {
                throw bad(name, "its " + CRC + " is missing (the header is damaged)");
            }
            return;
        }
        String written = new String(bytes, at, 8, StandardCharsets.US_ASCII);
        byte[] copy = bytes.clone();
        System.arraycopy(CRC_PLACEHOLDER.getBytes(StandardCharsets.US_ASCII), 0, copy, at, 8);
        String actual = String.format("%08x", crcOf(copy));
        if (!actual.equals(written)) {
            throw bad(name, "its CRC-32 is " + actual + ", not the " + written + " written in it (the file is damaged)");
        }
    }

    private static InputException bad(String name, String why) {
        return new InputException(name + ": not a valid checkpoint: " + why);
    }

    private record Tensor(String name, String dtype, long[] shape, long begin, long end) {
    }

    private static Checkpoint parse(String name, String headerText, byte[] data) {
        if (!headerText.startsWith("{")) {
            throw bad(name, "the header does not start with '{'");
        }
        JsonNode root;
        try {
            root = JsonParser.parse(headerText, name + " header");
        } catch (InputException e) {
            throw bad(name, e.getMessage());
        }
        Map<String, JsonNode> entries = root.asObject("the header");
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : entries.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                for (Map.Entry<String, JsonNode> m : e.getValue().asObject("__metadata__").entrySet()) {
                    meta.put(m.getKey(), m.getValue().asString("metadata value " + m.getKey()));
                }
                continue;
            }
            tensors.put(e.getKey(), tensor(name, e.getKey(), e.getValue()));
        }
        checkCoverage(name, tensors.values(), data.length);
        String arch = meta.get(ARCHITECTURE);
        if (arch == null) {
            throw bad(name, "no " + ARCHITECTURE + " in its metadata; it was not written by Nabla");
        }
        return new Checkpoint(network(name, arch, tensors, data), meta);
    }

    private static Tensor tensor(String file, String tensorName, JsonNode node) {
        Map<String, JsonNode> t = node.asObject("tensor " + tensorName);
        JsonNode dtype = t.get("dtype");
        JsonNode shape = t.get("shape");
        JsonNode offsets = t.get("data_offsets");
        if (dtype == null || shape == null || offsets == null) {
            throw bad(file, "tensor " + tensorName + " lacks dtype, shape or data_offsets");
        }
        List<JsonNode> dims = shape.asArray("shape of " + tensorName);
        long[] s = new long[dims.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = dims.get(i).asInt("shape of " + tensorName, 0);
        }
        List<JsonNode> off = offsets.asArray("data_offsets of " + tensorName);
        if (off.size() != 2) {
            throw bad(file, "data_offsets of " + tensorName + " must be [begin, end]");
        }
        long begin = (long) off.get(0).asDouble("data_offsets of " + tensorName);
        long end = (long) off.get(1).asDouble("data_offsets of " + tensorName);
        String dt = dtype.asString("dtype of " + tensorName);
        int item = switch (dt) {
            case "F64" -> 8;
            case "F32" -> 4;
            default -> throw bad(file, "tensor " + tensorName + " has dtype " + dt + "; Nabla reads F64 and F32");
        };
        long count = 1;
        for (long d : s) {
            count = Math.multiplyExact(count, d);
        }
        if (begin < 0 || end < begin || end - begin != count * item) {
            throw bad(file, "tensor " + tensorName + " of shape " + Arrays.toString(s) + " and dtype " + dt
                    + " needs " + count * item + " bytes, but its data_offsets are [" + begin + ", " + end + "]");
        }
        return new Tensor(tensorName, dt, s, begin, end);
    }

    /** The tensors must cover the data exactly: no hole, no overlap, nothing past the end. */
    private static void checkCoverage(String file, Collection<Tensor> tensors, long length) {
        List<Tensor> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(Tensor::begin));
        long at = 0;
        for (Tensor t : sorted) {
            if (t.begin() != at) {
                throw bad(file, "tensor " + t.name() + " starts at byte " + t.begin() + " of the data, not " + at
                        + (t.begin() < at ? " (tensors overlap)" : " (a hole)"));
            }
            at = t.end();
        }
        if (at != length) {
            throw bad(file, "the tensors end at byte " + at + " of the data, but the file holds " + length
                    + (at > length ? " (the file is cut short)" : " (bytes no tensor owns)"));
        }
    }

    private static Network network(String file, String arch, Map<String, Tensor> tensors, byte[] data) {
        List<Layer> layers = new ArrayList<>();
        Loss loss;
        try {
            Map<String, JsonNode> top = JsonParser.parse(arch, file + " " + ARCHITECTURE).asObject("the architecture");
            loss = Loss.parse(top.get("loss").asString("loss"));
            List<JsonNode> specs = top.get("layers").asArray("layers");
            for (int l = 0; l < specs.size(); l++) {
                Map<String, JsonNode> spec = specs.get(l).asObject("layer");
                int in = spec.get("inputs").asInt("inputs", 1);
                int out = spec.get("outputs").asInt("outputs", 1);
                Activation f = Activation.parse(spec.get("activation").asString("activation"));
                double[] w = values(file, tensors.get("layers." + l + ".weight"), "layers." + l + ".weight",
                        new long[] {out, in}, data);
                double[] bias = Boolean.TRUE.equals(spec.get("bias").value())
                        ? values(file, tensors.get("layers." + l + ".bias"), "layers." + l + ".bias", new long[] {out},
                                data)
                        : null;
                layers.add(new Layer(in, out, f, w, bias));
            }
        } catch (InputException | NullPointerException | IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(file + ": not a valid checkpoint")) {
                throw e;
            }
            throw bad(file, "its architecture cannot be read: " + e.getMessage());
        }
        if (tensors.size() != layers.stream().mapToInt(x -> x.hasBias() ? 2 : 1).sum()) {
            throw bad(file, "it holds tensors its architecture has no place for: " + tensors.keySet());
        }
        try {
            return new Network(loss, layers);
        } catch (IllegalArgumentException e) {
            throw bad(file, e.getMessage());
        }
    }

    private static double[] values(String file, Tensor t, String expectedName, long[] shape, byte[] data) {
        if (t == null) {
            throw bad(file, "there is no tensor " + expectedName);
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw bad(file, "tensor " + t.name() + " has shape " + Arrays.toString(t.shape())
                    + ", but the architecture needs " + Arrays.toString(shape));
        }
        ByteBuffer b = ByteBuffer.wrap(data, (int) t.begin(), (int) (t.end() - t.begin())).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) ((t.end() - t.begin()) / (t.dtype().equals("F64") ? 8 : 4));
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = t.dtype().equals("F64") ? b.getDouble() : b.getFloat();
            if (!Double.isFinite(v[i])) {
                throw bad(file, "tensor " + t.name() + " holds " + v[i]);
            }
        }
        return v;
    }
}

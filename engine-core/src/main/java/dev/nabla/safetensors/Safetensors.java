package dev.nabla.safetensors;

import dev.nabla.InputException;
import dev.nabla.json.JsonNode;
import dev.nabla.json.JsonParser;
import dev.nabla.json.JsonWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code .safetensors} container, as other tools (PyTorch's {@code safetensors}, Hugging Face)
 * read and write it, knowing nothing of what the tensors mean.
 *
 * <p>The format: 8 bytes, the header's length {@code N} as a little-endian unsigned 64-bit
 * integer; {@code N} bytes of UTF-8 JSON mapping each tensor name to its {@code dtype},
 * {@code shape} and {@code data_offsets} (begin and end in the data that follows, which the
 * tensors cover exactly), plus an optional {@code __metadata__} object of strings; then the data,
 * little-endian, row-major. The writer pads the header with spaces to a multiple of 8 bytes
 * (bytes, not characters: a non-ASCII name or metadata value takes several), so the data starts
 * 8-byte aligned.
 *
 * <p>Decoding refuses anything inconsistent, each with a one-line message: a cut-short file, a
 * header that is not such JSON, offsets that leave holes or overlap or pass the end, and a shape
 * that does not fit its bytes. Only {@code F64} and {@code F32} tensors are read.
 */
public final class Safetensors {
    /** The header length the format allows at most (100 MiB). */
    private static final long MAX_HEADER = 100L << 20;

    private static final String METADATA = "__metadata__";

    private Safetensors() {}

    /** The element types Nabla reads and writes. */
    public enum DType {
        /** IEEE double precision, 8 bytes little-endian. */
        F64(8),
        /** IEEE single precision, 4 bytes little-endian. */
        F32(4);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }
    }

    /**
     * One tensor: its values row-major, held as doubles whatever the stored type (an {@code F32}
     * value widens exactly).
     *
     * @param name its name in the header
     * @param dtype the element type it is stored in
     * @param shape its dimensions, outermost first
     * @param values its elements, as many as the shape holds
     */
    public record Tensor(String name, DType dtype, long[] shape, double[] values) {
        /** Keeps a copy of the shape and checks that it holds as many values as there are, none negative. */
        public Tensor {
            shape = shape.clone();
            long count = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException(name + ": a negative dimension in " + Arrays.toString(shape));
                }
                count = Math.multiplyExact(count, d);
            }
            if (count != values.length) {
                throw new IllegalArgumentException(name + ": shape " + Arrays.toString(shape) + " holds " + count
                        + " values, not " + values.length);
            }
        }

        /** Its dimensions, outermost first (a copy). */
        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    /**
     * A decoded file.
     *
     * @param tensors the tensors by name, in the header's order
     * @param metadata the header's {@code __metadata__} strings, in their order
     */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        /** Keeps unmodifiable copies of both maps, in their order. */
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /**
     * The file's bytes: the tensors' data in the given order, the metadata in its map's order.
     *
     * @throws IllegalArgumentException when an {@code F32} tensor holds a value that is not a float
     */
    public static byte[] encode(List<Tensor> tensors, Map<String, String> metadata) {
        long total = 0;
        for (Tensor t : tensors) {
            total += (long) t.values().length * t.dtype().bytes();
        }
        ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(total)).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder header = new StringBuilder("{");
        for (Tensor t : tensors) {
            int begin = data.position();
            for (double v : t.values()) {
                if (t.dtype() == DType.F32) {
                    float f = (float) v;
                    if (f != v) {
                        throw new IllegalArgumentException(t.name() + " holds " + v + ", which is not a float");
                    }
                    data.putFloat(f);
                } else {
                    data.putDouble(v);
                }
            }
            header.append(JsonWriter.string(t.name()))
                    .append(": {\"dtype\": \"")
                    .append(t.dtype())
                    .append("\", \"shape\": ")
                    .append(Arrays.toString(t.shape()))
                    .append(", \"data_offsets\": [")
                    .append(begin)
                    .append(", ")
                    .append(data.position())
                    .append("]}, ");
        }
        header.append(JsonWriter.string(METADATA)).append(": {");
        boolean first = true;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            header.append(first ? "" : ", ")
                    .append(JsonWriter.string(e.getKey()))
                    .append(": ")
                    .append(JsonWriter.string(e.getValue()));
            first = false;
        }
        byte[] head = header.append("}}").toString().getBytes(StandardCharsets.UTF_8);
        int padded = (head.length + 7) / 8 * 8; // 8 + padded is then a multiple of 8
        ByteBuffer out = ByteBuffer.allocate(8 + padded + data.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(head);
        for (int i = head.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        return out.put(data.array()).array();
    }

    /**
     * The length of the header of {@code file}, checked against the file's size.
     *
     * @param refuse makes the exception for a reason, naming the file as its caller wants
     */
    public static int headerLength(byte[] file, Refusal refuse) {
        if (file.length < 8) {
            throw refuse.because("the file is " + file.length + " bytes, shorter than the 8-byte header length");
        }
        long n = ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n < 2 || n > MAX_HEADER || n > file.length - 8) {
            throw refuse.because("the header length " + Long.toUnsignedString(n) + " does not fit a file of "
                    + file.length + " bytes (the file is cut short, or not a safetensors file)");
        }
        return (int) n;
    }

    /**
     * Whether {@code file} starts as a safetensors file does: an 8-byte little-endian header length
     * that fits the file, then the header's <code>'{'</code>. Whether the rest holds is for
     * {@link #decode} to say; a file that cannot be read does not start so.
     */
    public static boolean startsLikeOne(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer head = ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN);
            while (head.hasRemaining() && ch.read(head) > 0) {
                // a file may hand over its first bytes in parts
            }
            if (head.hasRemaining()) {
                return false;
            }
            long n = head.getLong(0);
            return n >= 2 && n <= MAX_HEADER && n <= ch.size() - 8 && head.get(8) == '{';
        } catch (IOException e) {
            return false;
        }
    }

    /** Turns a reason into the exception to throw: the caller says what the file was meant to be. */
    public interface Refusal {
        /** The exception that says the file is not what it was meant to be, for {@code reason}. */
        InputException because(String reason);
    }

    /** Decodes and checks a whole file; {@code source} names it in the header's parse errors. */
    public static Contents decode(byte[] file, String source, Refusal refuse) {
        int n = headerLength(file, refuse);
        String headerText = new String(file, 8, n, StandardCharsets.UTF_8);
        if (!headerText.startsWith("{")) {
            throw refuse.because("the header does not start with '{'");
        }
        JsonNode root;
        try {
            root = JsonParser.parse(headerText, source + " header");
        } catch (InputException e) {
            throw refuse.because(e.getMessage());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        try {
            for (Map.Entry<String, JsonNode> e : root.asObject("the header").entrySet()) {
                if (e.getKey().equals(METADATA)) {
                    for (Map.Entry<String, JsonNode> m :
                            e.getValue().asObject(METADATA).entrySet()) {
                        metadata.put(m.getKey(), m.getValue().asString("metadata value " + m.getKey()));
                    }
                } else {
                    entries.add(entry(e.getKey(), e.getValue(), refuse));
                }
            }
        } catch (InputException e) {
            throw e.getMessage().startsWith(source + " header:") ? refuse.because(e.getMessage()) : e;
        }
        int dataStart = 8 + n;
        checkCoverage(entries, file.length - dataStart, refuse);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            tensors.put(e.name(), new Tensor(e.name(), e.dtype(), e.shape(), values(file, dataStart, e)));
        }
        return new Contents(tensors, metadata);
    }

    /** A tensor's header entry: where its bytes are. */
    private record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

    private static Entry entry(String name, JsonNode node, Refusal refuse) {
        Map<String, JsonNode> t = node.asObject("tensor " + name);
        JsonNode dtype = t.get("dtype");
        JsonNode shape = t.get("shape");
        JsonNode offsets = t.get("data_offsets");
        if (dtype == null || shape == null || offsets == null) {
            throw refuse.because("tensor " + name + " lacks dtype, shape or data_offsets");
        }
        List<JsonNode> dims = shape.asArray("shape of " + name);
        long[] s = new long[dims.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = dims.get(i).asInt("shape of " + name, 0);
        }
        List<JsonNode> off = offsets.asArray("data_offsets of " + name);
        if (off.size() != 2) {
            throw refuse.because("data_offsets of " + name + " must be [begin, end]");
        }
        long begin = (long) off.get(0).asDouble("data_offsets of " + name);
        long end = (long) off.get(1).asDouble("data_offsets of " + name);
        String dt = dtype.asString("dtype of " + name);
        DType type = switch (dt) {
            case "F64" -> DType.F64;
            case "F32" -> DType.F32;
            default -> throw refuse.because("tensor " + name + " has dtype " + dt + "; Nabla reads F64 and F32");
        };
        long count = 1;
        long bytes;
        try {
            for (long d : s) {
                count = Math.multiplyExact(count, d);
            }
            bytes = Math.multiplyExact(count, type.bytes());
        } catch (ArithmeticException e) {
            throw refuse.because("tensor " + name + " of shape " + Arrays.toString(s) + " holds more values than "
                    + "any file can (its size in bytes passes " + Long.MAX_VALUE + ")");
        }
        if (begin < 0 || end < begin || end - begin != bytes) {
            throw refuse.because("tensor " + name + " of shape " + Arrays.toString(s) + " and dtype " + dt
                    + " needs " + count * type.bytes() + " bytes, but its data_offsets are [" + begin + ", " + end
                    + "]");
        }
        return new Entry(name, type, s, begin, end);
    }

    /** The tensors must cover the data exactly: no hole, no overlap, nothing past the end. */
    private static void checkCoverage(List<Entry> entries, long length, Refusal refuse) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin));
        long at = 0;
        for (Entry e : sorted) {
            if (e.begin() != at) {
                throw refuse.because("tensor " + e.name() + " starts at byte " + e.begin() + " of the data, not " + at
                        + (e.begin() < at ? " (tensors overlap)" : " (a hole)"));
            }
            at = e.end();
        }
        if (at != length) {
            throw refuse.because("the tensors end at byte " + at + " of the data, but the file holds " + length
                    + (at > length ? " (the file is cut short)" : " (bytes no tensor owns)"));
        }
    }

    private static double[] values(byte[] file, int dataStart, Entry e) {
        int bytes = (int) (e.end() - e.begin());
        ByteBuffer b =
                ByteBuffer.wrap(file, (int) (dataStart + e.begin()), bytes).order(ByteOrder.LITTLE_ENDIAN);
        double[] v = new double[bytes / e.dtype().bytes()];
        for (int i = 0; i < v.length; i++) {
            v[i] = e.dtype() == DType.F64 ? b.getDouble() : b.getFloat();
        }
        return v;
    }
}

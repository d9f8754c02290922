package dev.nabla.data;

import dev.nabla.Plural;
import dev.nabla.io.InputFiles;
import dev.nabla.json.JsonNode;
import dev.nabla.json.JsonParser;
import dev.nabla.json.JsonWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * What tells one training data apart from another, so that a resumed run can check that it is
 * given the data its run trained on: for data files (a CSV, or {@code .npy} inputs and targets),
 * each file's size, modification time and CRC-32C of its bytes; for the built-in synthetic data,
 * its sample count and seed. Two identities are {@linkplain #sameData the same data} when their
 * files have the same sizes and checksums, one by one: a file's name and time are for messages,
 * since a copy of the same bytes is the same data.
 *
 * <p>Kept as JSON ({@link #toJson}): {@code {"files": [{"path": "data.csv", "bytes": 1234,
 * "modified": "2025-01-02T03:04:05Z", "crc32c": "e3069283"}, ...]}}, or {@code {"synthetic":
 * {"samples": 2000, "seed": "1"}}} (the seed as a string: a 64-bit seed has more digits than a JSON
 * number keeps).
 */
public sealed interface DataIdentity permits DataIdentity.OfFiles, DataIdentity.Synthetic {

    /** Whether {@code other} is the same data. */
    boolean sameData(DataIdentity other);

    /** For messages: {@code data.csv (1234 bytes, modified ..., CRC-32C e3069283)}. */
    String describe();

    /** The identity as JSON, which {@link #parse} reads back. */
    String toJson();

    /** The identity of the data in {@code files}, in that order; each is read once, start to end. */
    static DataIdentity ofFiles(List<Path> files) {
        List<DataFile> identities = new ArrayList<>();
        for (Path f : files) {
            identities.add(DataFile.of(f));
        }
        return new OfFiles(identities);
    }

    /** The identity of the built-in synthetic data of {@code samples} samples drawn from {@code seed}. */
    static DataIdentity synthetic(int samples, long seed) {
        return new Synthetic(samples, seed);
    }

    /** Reads {@link #toJson}'s form; {@code source} names it in messages. */
    static DataIdentity parse(String json, String source) {
        JsonNode root = JsonParser.parse(json, source);
        Map<String, JsonNode> top = root.asObject("the data identity");
        if (top.size() != 1 || !(top.containsKey("files") || top.containsKey("synthetic"))) {
            throw root.error("the data identity must hold \"files\" or \"synthetic\", not " + top.keySet());
        }
        if (top.containsKey("synthetic")) {
            JsonNode s = top.get("synthetic");
            Map<String, JsonNode> o = keys(s, "\"synthetic\"", Set.of("samples", "seed"));
            JsonNode seed = o.get("seed");
            try {
                return new Synthetic(
                        o.get("samples").asInt("\"samples\"", 1), Long.parseLong(seed.asString("\"seed\"")));
            } catch (NumberFormatException e) {
                throw seed.error("\"seed\" must be a whole number, not \"" + seed.value() + "\"");
            }
        }
        List<DataFile> files = new ArrayList<>();
        for (JsonNode f : top.get("files").asArray("\"files\"")) {
            Map<String, JsonNode> o = keys(f, "a file", Set.of("path", "bytes", "modified", "crc32c"));
            JsonNode bytes = o.get("bytes");
            double n = bytes.asDouble("\"bytes\"");
            if (n != Math.rint(n) || n < 0 || n > 0x1p53) {
                throw bytes.error("\"bytes\" must be a whole number of 0 or more, not " + n);
            }
            JsonNode crc = o.get("crc32c");
            String digits = crc.asString("\"crc32c\"");
            if (!digits.matches("[0-9a-f]{8}")) {
                throw crc.error("\"crc32c\" must be 8 hexadecimal digits, not \"" + digits + "\"");
            }
            files.add(new DataFile(
                    o.get("path").asString("\"path\""),
                    (long) n,
                    o.get("modified").asString("\"modified\""),
                    digits));
        }
        if (files.isEmpty()) {
            throw top.get("files").error("\"files\" names no file");
        }
        return new OfFiles(files);
    }

    private static Map<String, JsonNode> keys(JsonNode node, String what, Set<String> keys) {
        Map<String, JsonNode> o = node.asObject(what);
        if (!o.keySet().equals(keys)) {
            throw node.error(what + " must have the keys " + keys + ", not " + o.keySet());
        }
        return o;
    }

    /**
     * One data file.
     *
     * @param path the file as it was named, for messages
     * @param bytes its size
     * @param modified its modification time (ISO-8601), for messages
     * @param crc32c the CRC-32C of its bytes, 8 lower-case hexadecimal digits
     */
    record DataFile(String path, long bytes, String modified, String crc32c) {
        /** Bytes read at a time while the checksum is computed. */
        private static final int BUFFER = 1 << 20;

        static DataFile of(Path file) {
            InputFiles.requireReadableFile(file);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                String modified = Files.getLastModifiedTime(file).toInstant().toString();
                CRC32C crc = new CRC32C();
                ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
                long bytes = 0;
                while (ch.read(buffer) >= 0) {
                    buffer.flip();
                    bytes += buffer.remaining();
                    crc.update(buffer);
                    buffer.clear();
                }
                return new DataFile(file.toString(), bytes, modified, String.format("%08x", crc.getValue()));
            } catch (IOException e) {
                throw InputFiles.cannotRead(file, e);
            }
        }

        boolean sameBytes(DataFile other) {
            return bytes == other.bytes && crc32c.equals(other.crc32c);
        }

        String describe() {
            return path + " (" + Plural.of(bytes, "byte") + ", modified " + modified + ", CRC-32C " + crc32c + ")";
        }

        String toJson() {
            return "{\"path\": " + JsonWriter.string(path) + ", \"bytes\": " + bytes + ", \"modified\": "
                    + JsonWriter.string(modified) + ", \"crc32c\": " + JsonWriter.string(crc32c) + "}";
        }
    }

    /** Data in files: a CSV, or {@code .npy} inputs and targets. */
    record OfFiles(List<DataFile> files) implements DataIdentity {
        /** Keeps a copy of the files, in the order they are read. */
        public OfFiles {
            files = List.copyOf(files);
        }

        @Override
        public boolean sameData(DataIdentity other) {
            if (!(other instanceof OfFiles o) || o.files.size() != files.size()) {
                return false;
            }
            for (int i = 0; i < files.size(); i++) {
                if (!files.get(i).sameBytes(o.files.get(i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String describe() {
            List<String> each = new ArrayList<>();
            for (DataFile f : files) {
                each.add(f.describe());
            }
            return String.join(" and ", each);
        }

        @Override
        public String toJson() {
            List<String> each = new ArrayList<>();
            for (DataFile f : files) {
                each.add(f.toJson());
            }
            return "{\"files\": [" + String.join(", ", each) + "]}";
        }
    }

    /** The built-in synthetic data: {@code samples} samples drawn from {@code seed}. */
    record Synthetic(int samples, long seed) implements DataIdentity {
        @Override
        public boolean sameData(DataIdentity other) {
            return equals(other);
        }

        @Override
        public String describe() {
            return "built-in synthetic data (" + Plural.of(samples, "sample") + ", seed " + seed + ")";
        }

        @Override
        public String toJson() {
            return "{\"synthetic\": {\"samples\": " + samples + ", \"seed\": \"" + seed + "\"}}";
        }
    }
}

package dev.nabla.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import dev.nabla.safetensors.Safetensors.DType;
import dev.nabla.safetensors.Safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The container alone: what it writes, what it reads back, and how the header is padded. */
class SafetensorsTest {
    private static final Safetensors.Refusal REFUSE = reason -> new InputException("x: " + reason);

    private static long headerLength(byte[] file) {
        return ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void roundTripsTensorsAndMetadataInOrder() {
        List<Tensor> tensors = List.of(
                new Tensor("b", DType.F32, new long[] {2}, new double[] {0.5, -0.25}),
                new Tensor("a", DType.F64, new long[] {1, 3}, new double[] {Math.PI, -0.0, 1e-300}));
        byte[] file = Safetensors.encode(tensors, Map.of("k", "v"));
        Safetensors.Contents c = Safetensors.decode(file, "x", REFUSE);
        assertEquals(List.of("b", "a"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(
                new double[] {Math.PI, -0.0, 1e-300}, c.tensors().get("a").values(), 0.0);
        assertEquals(
                Double.doubleToRawLongBits(-0.0),
                Double.doubleToRawLongBits(c.tensors().get("a").values()[1]));
        assertArrayEquals(new long[] {1, 3}, c.tensors().get("a").shape());
        assertEquals(DType.F32, c.tensors().get("b").dtype());
        assertEquals(Map.of("k", "v"), c.metadata());
    }

    /** The header is padded by bytes: names and values outside ASCII take several bytes each in UTF-8. */
    @Test
    void theDataStartsAlignedWhateverTheHeaderSays() {
        for (String value : List.of("plain.csv", "données.csv", "日本語のデータ.csv", "é", "éé", "ééé", "🙂x")) {
            byte[] file = Safetensors.encode(
                    List.of(new Tensor("w", DType.F64, new long[] {1}, new double[] {2.5})),
                    Map.of("nabla.data", value));
            long n = headerLength(file);
            assertEquals(0, (8 + n) % 8, value + ": the data starts 8-byte aligned");
            assertEquals(8 + n + 8, file.length, value + ": the header length covers the header exactly");
            String header = new String(file, 8, (int) n, StandardCharsets.UTF_8);
            assertTrue(header.startsWith("{") && header.stripTrailing().endsWith("}"), header);
            assertEquals(value, Safetensors.decode(file, "x", REFUSE).metadata().get("nabla.data"));
            assertEquals(
                    2.5,
                    Safetensors.decode(file, "x", REFUSE).tensors().get("w").values()[0]);
        }
    }

    @Test
    void anF32TensorMustHoldFloats() {
        Tensor t = new Tensor("w", DType.F32, new long[] {1}, new double[] {0.1});
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Safetensors.encode(List.of(t), Map.of()));
        assertTrue(e.getMessage().contains("w holds 0.1, which is not a float"), e.getMessage());
    }

    @Test
    void aShapeMustHoldItsValues() {
        assertThrows(
                IllegalArgumentException.class, () -> new Tensor("w", DType.F64, new long[] {2, 2}, new double[3]));
    }

    @Test
    void refusesAShapeWhoseSizeOverflows() {
        String header = "{\"w\": {\"dtype\": \"F64\", \"shape\": [2147483647, 2147483647, 2147483647], "
                + "\"data_offsets\": [0, 8]}}";
        byte[] head = header.getBytes(StandardCharsets.UTF_8);
        byte[] file = ByteBuffer.allocate(8 + head.length + 8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(head.length)
                .put(head)
                .array();
        InputException e = assertThrows(InputException.class, () -> Safetensors.decode(file, "x", REFUSE));
        assertEquals(
                "x: tensor w of shape [2147483647, 2147483647, 2147483647] holds more values than any file can "
                        + "(its size in bytes passes 9223372036854775807)",
                e.getMessage());
    }

    @Test
    void refusesTensorsThatDoNotCoverTheData() {
        byte[] file =
                Safetensors.encode(List.of(new Tensor("w", DType.F64, new long[] {1}, new double[] {1})), Map.of());
        byte[] longer = java.util.Arrays.copyOf(file, file.length + 8);
        InputException e = assertThrows(InputException.class, () -> Safetensors.decode(longer, "x", REFUSE));
        assertTrue(e.getMessage().contains("bytes no tensor owns"), e.getMessage());
        byte[] shorter = java.util.Arrays.copyOf(file, file.length - 1);
        e = assertThrows(InputException.class, () -> Safetensors.decode(shorter, "x", REFUSE));
        assertTrue(e.getMessage().contains("the file is cut short"), e.getMessage());
    }
}

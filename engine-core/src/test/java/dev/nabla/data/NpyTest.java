package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npy files built byte by byte from the format's description, read back; and every way one can be wrong. */
class NpyTest {
    @TempDir
    Path dir;

    /** A .npy file: magic, version, header length, header padded to a multiple of 64 with spaces and a newline, data. */
    static byte[] npy(int major, String descr, boolean fortran, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': "
                + shape + ", }";
        int prefix = major == 1 ? 10 : 12;
        int total = prefix + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        ByteBuffer len = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            len.putShort((short) header.length());
        } else {
            len.putInt(header.length());
        }
        out.writeBytes(len.array());
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] f8(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) {
            b.putDouble(d);
        }
        return b.array();
    }

    static byte[] f4(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void readsFloat64AndFloat32InEveryVersion() throws IOException {
        Path x = write("x.npy", npy(1, "<f8", false, "(3, 2)", f8(1, 2, 3, 4, 5, 6.5)));
        Path y = write("y.npy", npy(2, "<f4", false, "(3,)", f4(0.25f, 0.5f, 0.75f)));
        NpySamples s = NpySamples.open(x, y);
        assertEquals(3, s.count());
        assertEquals(2, s.inputWidth());
        assertEquals(1, s.targetWidth());
        double[] in = new double[4];
        s.copyInputs(1, 2, in, 0);
        assertArrayEquals(new double[] {3, 4, 5, 6.5}, in, 0.0);
        double[] t = new double[3];
        s.copyTargets(0, 3, t, 0);
        assertArrayEquals(new double[] {0.25, 0.5, 0.75}, t, 0.0);
        assertEquals("float64 inputs, float32 targets", s.dtypes());
        Path v3 = write("v3.npy", npy(3, "<f8", false, "(1, 1)", f8(42)));
        assertEquals(1, NpyArray.open(v3).rows());
    }

    @Test
    void readsWhatNumpyWrites() throws IOException {
        // np.save(f, np.arange(6, dtype='<f8').reshape(3, 2)), bytes as NumPy 2.4 wrote them.
        byte[] numpy = npy(1, "<f8", false, "(3, 2)", f8(0, 1, 2, 3, 4, 5));
        assertEquals(176, numpy.length, "NumPy's file for this array is 176 bytes: a 128-byte header, 48 of data");
        NpyArray a = NpyArray.open(write("np.npy", numpy));
        double[] all = new double[6];
        a.copyRows(0, 3, all, 0);
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, all, 0.0);
    }

    private void refused(String name, byte[] bytes, String message) throws IOException {
        Path f = write(name, bytes);
        InputException e = assertThrows(InputException.class, () -> {
            NpyArray.open(f).requireFinite();
        });
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), "expected '" + message + "' in: " + e.getMessage());
    }

    @Test
    void refusesWhatItCannotRead() throws IOException {
        byte[] good = npy(1, "<f8", false, "(2, 2)", f8(1, 2, 3, 4));
        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        refused("magic.npy", badMagic, "not a .npy file");
        refused("text.npy", "1,2,3\n".getBytes(StandardCharsets.US_ASCII), "not a .npy file");
        refused("int.npy", npy(1, "<i8", false, "(2, 2)", f8(1, 2, 3, 4)), "dtype '<i8' is not supported");
        refused("fortran.npy", npy(1, "<f8", true, "(2, 2)", f8(1, 2, 3, 4)), "Fortran (column-major) order");
        refused("3d.npy", npy(1, "<f8", false, "(1, 2, 2)", f8(1, 2, 3, 4)), "3-dimensional array");
        refused("short.npy", java.util.Arrays.copyOf(good, good.length - 3), "the file is cut short");
        refused("nan.npy", npy(1, "<f8", false, "(2, 2)", f8(1, 2, Double.NaN, 4)), "row 2, column 1 is NaN");
        refused("inf.npy", npy(1, "<f4", false, "(2,)", f4(1, Float.POSITIVE_INFINITY)), "row 2, column 1 is Infinity");
        refused("version.npy", npy(9, "<f8", false, "(2, 2)", f8(1, 2, 3, 4)), "version 9.0 is not supported");
        refused("empty.npy", npy(1, "<f8", false, "(0, 2)", new byte[0]), "the array is empty");
        refused("missing-shape.npy", npy(1, "<f8", false, "(2 2)", f8(1, 2, 3, 4)), "not a tuple of integers");
    }

    @Test
    void refusesShapesWithNegativeOrOverflowingDimensions() throws IOException {
        byte[] four = f8(1, 2, 3, 4);
        refused("neg-rows.npy", npy(1, "<f8", false, "(-2, 2)", four), "the shape (-2, 2) has a negative dimension");
        refused("neg-cols.npy", npy(1, "<f8", false, "(2, -2)", four), "the shape (2, -2) has a negative dimension");
        refused("neg-both.npy", npy(1, "<f8", false, "(-2, -2)", four), "the shape (-2, -2) has a negative dimension");
        refused("neg-1d.npy", npy(1, "<f8", false, "(-4,)", four), "the shape (-4,) has a negative dimension");
        refused(
                "neg-huge.npy",
                npy(1, "<f8", false, "(-99999999999999999999, 2)", four),
                "the shape (-99999999999999999999, 2) has a negative dimension");
        refused(
                "rows.npy",
                npy(1, "<f8", false, "(4294967296, 1)", four),
                "the shape (4294967296, 1) has more rows than Nabla reads (at most 2147483647)");
        refused(
                "long-product.npy", // 3037000500^2 x 8 bytes is past Long.MAX_VALUE
                npy(1, "<f8", false, "(3037000500, 3037000500)", four),
                "the shape (3037000500, 3037000500) has more rows than Nabla reads (at most 2147483647)");
        refused(
                "cols.npy",
                npy(1, "<f8", false, "(1, 4294967296)", four),
                "the shape (1, 4294967296) has rows of more values than Nabla reads (at most 268435455)");
        refused(
                "beyond-long.npy",
                npy(1, "<f8", false, "(99999999999999999999, 2)", four),
                "the shape (99999999999999999999, 2) has more rows than Nabla reads (at most 2147483647)");
        refused(
                "digits.npy",
                npy(2, "<f8", false, "(" + "9".repeat(100_000) + ", 2)", four),
                "the shape (" + "9".repeat(20) + "..., 2) has more rows than Nabla reads (at most 2147483647)");
    }

    @Test
    void inputsAndTargetsMustHaveTheSameRows() throws IOException {
        Path x = write("x.npy", npy(1, "<f8", false, "(3, 1)", f8(1, 2, 3)));
        Path y = write("y.npy", npy(1, "<f8", false, "(2, 1)", f8(1, 2)));
        InputException e = assertThrows(InputException.class, () -> NpySamples.open(x, y));
        assertEquals(y + ": 2 rows of targets, but " + x + " has 3 rows of inputs", e.getMessage());
    }

    @Test
    void writtenArraysReadBackAndMatchTheFormatByteForByte() throws IOException {
        double[] v = {0, 1, 2, 3, 4, 5};
        Path f = dir.resolve("w.npy");
        NpyArray.write(f, v, 3, 2);
        assertArrayEquals(npy(1, "<f8", false, "(3, 2)", f8(v)), Files.readAllBytes(f), "what np.save writes");
        double[] back = new double[6];
        NpyArray.open(f).copyRows(0, 3, back, 0);
        assertArrayEquals(v, back, 0.0);
    }

    /** Integers of {@code bytes} bytes each, in {@code order}. */
    static byte[] ints(int bytes, ByteOrder order, long... v) {
        ByteBuffer b = ByteBuffer.allocate(bytes * v.length).order(order);
        for (long x : v) {
            switch (bytes) {
                case 1 -> b.put((byte) x);
                case 2 -> b.putShort((short) x);
                case 4 -> b.putInt((int) x);
                default -> b.putLong(x);
            }
        }
        return b.array();
    }

    @Test
    void labelsMayBeIntegersOfEveryWidthAndByteOrder() throws IOException {
        for (String letter : new String[] {"i", "u"}) {
            for (int bytes : new int[] {1, 2, 4, 8}) {
                for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                    String descr = (bytes == 1 ? "|" : order == ByteOrder.BIG_ENDIAN ? ">" : "<") + letter + bytes;
                    Path f = Files.write(
                            dir.resolve(letter + bytes + order + ".npy"),
                            npy(1, descr, false, "(3,)", ints(bytes, order, 2, 0, 1)));
                    NpyArray a = NpyArray.openLabels(f);
                    double[] v = new double[3];
                    a.copyRows(0, 3, v, 0);
                    assertArrayEquals(new double[] {2, 0, 1}, v, 0.0, descr);
                    assertEquals((letter.equals("u") ? "uint" : "int") + 8 * bytes, a.dtype());
                }
            }
        }
        double[] v = new double[2];
        NpyArray.openLabels(Files.write(
                        dir.resolve("neg.npy"),
                        npy(1, "<i2", false, "(2,)", ints(2, ByteOrder.LITTLE_ENDIAN, -3, 300))))
                .copyRows(0, 2, v, 0);
        assertArrayEquals(new double[] {-3, 300}, v, 0.0);
        NpyArray.openLabels(Files.write(
                        dir.resolve("big.npy"),
                        npy(1, "<u8", false, "(2,)", ints(8, ByteOrder.LITTLE_ENDIAN, -1, 65535))))
                .copyRows(0, 2, v, 0);
        assertArrayEquals(new double[] {18446744073709551615.0, 65535}, v, 0.0);
        InputException e = assertThrows(
                InputException.class,
                () -> NpyArray.open(Files.write(
                        dir.resolve("x.npy"), npy(1, "<i4", false, "(2,)", ints(4, ByteOrder.LITTLE_ENDIAN, 1, 2)))));
        assertTrue(
                e.getMessage()
                        .endsWith(
                                "dtype '<i4' is not supported (Nabla reads float64 '<f8' and float32 '<f4'; integers only as --labels)"),
                e.getMessage());
    }
}

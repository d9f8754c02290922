package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CsvTableTest {
    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        return Files.writeString(dir.resolve("d.csv"), content, StandardCharsets.UTF_8);
    }

    @Test
    void skipsAHeaderBlankLinesAndAByteOrderMarkAndAcceptsCrlf() throws IOException {
        Dataset d = CsvData.read(file("\uFEFFx1, x2 ,target\r\n\r\n0.5,-1,1e-3\r\n  .25 , 2., +3\r\n\n"), 2, 1);
        assertEquals(2, d.samples());
        assertArrayEquals(new double[] {0.5, -1, 0.25, 2}, d.inputs(), 0.0);
        assertArrayEquals(new double[] {1e-3, 3}, d.targets(), 0.0);
    }

    @Test
    void aFirstRowWithANumberIsData() throws IOException {
        InputException e = assertThrows(InputException.class, () -> CsvData.read(file("0.1,abc,1\n1,2,3\n"), 2, 1));
        assertEquals(dir.resolve("d.csv") + ":1:2: column 2 is 'abc', not a number", e.getMessage());
    }

    @Test
    void withoutAModelTheLastColumnsAreTargets() throws IOException {
        Dataset d = CsvData.readWithTargets(file("1,2,3,4\n5,6,7,8\n"), 3);
        assertEquals(1, d.inputWidth());
        assertArrayEquals(new double[] {2, 3, 4, 6, 7, 8}, d.targets(), 0.0);
        InputException e = assertThrows(InputException.class, () -> CsvData.readWithTargets(file("1,2\n"), 2));
        assertTrue(
                e.getMessage()
                        .endsWith(":1: 2 columns, but 2 of them are targets; at least one input column "
                                + "must come first"),
                e.getMessage());
    }

    @Test
    void readsLargeFilesPastTheInitialBuffer() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < 3000; r++) {
            sb.append(r).append(',').append(r * 0.5).append('\n');
        }
        Dataset d = CsvData.read(file(sb.toString()), 1, 1);
        assertEquals(3000, d.samples());
        assertEquals(2999 * 0.5, d.targets()[2999], 0.0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "-1", "+1", "1.5", ".5", "5.", "1e3", "1E-3", "-2.5e+10", "0"})
    void decimals(String s) {
        assertTrue(Decimals.isDecimal(s), s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", ".", "e3", "1e", "1e+", "0x10", "1d", "1f", "NaN", "Infinity", "1,0", "1 2", "١"})
    void notDecimals(String s) {
        assertFalse(Decimals.isDecimal(s), s);
    }

    @Test
    void notUtf8IsAClearError() throws IOException {
        Path f = dir.resolve("bin.csv");
        Files.write(f, new byte[] {'1', ',', (byte) 0xff, (byte) 0xfe, '\n'});
        InputException e = assertThrows(InputException.class, () -> CsvData.read(f, 1, 1));
        assertEquals(f + ":1: not UTF-8 text", e.getMessage());
    }

    @Test
    void writtenDataReadsBackBitForBit() {
        Dataset d = new Dataset(
                "d", 3, 2, 1, new double[] {0.1, -1e-300, 1.0 / 3, 2e22, Double.MIN_VALUE, -0.0}, new double[] {
                    Math.PI, 5, -7.25
                });
        Path f = dir.resolve("out.csv");
        CsvData.write(d, f);
        Dataset back = CsvData.read(f, 2, 1);
        assertArrayEquals(d.inputs(), back.inputs(), 0.0);
        assertArrayEquals(d.targets(), back.targets(), 0.0);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.inputs()[5]));
    }

    /** The fast path and the JDK agree on every decimal: each cell reads as the double nearest its text. */
    @Test
    void readsEveryDecimalAsTheNearestDouble() throws IOException {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(17);
        StringBuilder sb = new StringBuilder();
        java.util.List<String> texts = new java.util.ArrayList<>();
        String[] fixed = {
            "0",
            "-0",
            "0.1",
            "1e22",
            "1e23",
            "9007199254740993",
            "123456789012345678901234567890",
            "0.30000000000000004",
            "2.2250738585072014E-308",
            "4.9e-324",
            "1.7976931348623157e308",
            ".5",
            "5.",
            "-1.5e-5",
            "+7",
            "1e-22",
            "12345678901234567",
            "0.000000000000000000000000000001"
        };
        texts.addAll(java.util.List.of(fixed));
        for (int i = 0; i < 3000; i++) {
            double v = switch (i % 3) {
                case 0 -> rng.nextDouble(-1, 1);
                case 1 -> rng.nextDouble() * Math.pow(10, rng.nextInt(-30, 30));
                default -> rng.nextInt(-100000, 100000) / 1000.0;
            };
            texts.add(i % 2 == 0 ? Double.toString(v) : String.format(java.util.Locale.ROOT, "%.6g", v));
        }
        for (String t : texts) {
            sb.append(t).append('\n');
        }
        Dataset d = CsvData.readWithTargets(file("v\n" + sb.toString().replace("\n", ",1\n")), 1);
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(
                    Double.doubleToRawLongBits(Double.parseDouble(texts.get(i))),
                    Double.doubleToRawLongBits(d.inputs()[i]),
                    texts.get(i));
        }
    }
}

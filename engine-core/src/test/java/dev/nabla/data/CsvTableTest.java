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
    void readsQuotedNumbersWithCrlfAndAByteOrderMark() throws IOException {
        Dataset d = CsvData.read(
                file("\uFEFF\"x1\",\"x \"\"2\"\"\",\"t\"\r\n\"1.5\", \"2\" ,\"-3e-1\"\r\n 4,\" 5 \", 6\r\n"), 2, 1);
        assertEquals(2, d.samples());
        assertArrayEquals(new double[] {1.5, 2, 4, 5}, d.inputs(), 0.0);
        assertArrayEquals(new double[] {-0.3, 6}, d.targets(), 0.0);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1,2,3\n4,\"5.5,6\n|:2:2: column 2 opens a quote that does not close on its line",
                "1,2,3\r\n4,\"abc\",6\r\n|:2:2: column 2 is '\"abc\"', not a number (a quoted cell must hold a number)",
                "1,2,3\n4,5,\"\"\n|:2:3: column 3 is '\"\"', not a number (a quoted cell must hold a number)",
                "1,2,3\n\"4\"x,5,6\n|:2:1: column 1 has text after its closing quote",
                "\"1\";\"2\"\n|:1: the cells are separated by ';', not commas; Nabla reads comma-separated values",
                "\"1\"\t\"2\"\n|:1: the cells are separated by tabs, not commas; Nabla reads comma-separated values"
            })
    void refusesBadQuotes(String testCase) throws IOException {
        String[] parts = testCase.split("\\|");
        Path f = file(parts[0]);
        InputException e = assertThrows(InputException.class, () -> CsvData.read(f, 2, 1));
        assertEquals(f + parts[1], e.getMessage());
    }

    @Test
    void labelsBecomeOneHotTargets() throws IOException {
        Path f = file("x1,x2,class\n0.5,1,2.0\n-1,0,0\n\"3\",4,1\n");
        Dataset d = CsvData.readLabeled(f, 0, 0, false);
        assertEquals(3, d.targetWidth(), "the largest label + 1");
        assertArrayEquals(new double[] {0.5, 1, -1, 0, 3, 4}, d.inputs(), 0.0);
        assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, d.targets(), 0.0);
        Dataset five = CsvData.readLabeled(f, 2, 5, false);
        assertEquals(5, five.targetWidth(), "the model's outputs");
        assertEquals(1, five.targets()[2 + 5 * 0]);

        InputException e =
                assertThrows(InputException.class, () -> CsvData.readLabeled(file("1,2,0\n3,4,2.5\n"), 0, 0, false));
        assertEquals(f + ":2:3: label 2.5 is not a class index (a whole number from 0 up)", e.getMessage());
        e = assertThrows(InputException.class, () -> CsvData.readLabeled(file("1,2,0\n3,4,-1\n"), 0, 0, false));
        assertEquals(f + ":2:3: label -1 is not a class index (a whole number from 0 up)", e.getMessage());
        e = assertThrows(InputException.class, () -> CsvData.readLabeled(file("1,2,0\n\n3,4,3\n"), 2, 3, false));
        assertEquals(f + ":3:3: label 3 is not a class index 0..2 (the model has 3 outputs)", e.getMessage());
        e = assertThrows(InputException.class, () -> CsvData.readLabeled(file("1,2,0,1\n"), 2, 3, false));
        assertEquals(
                f + ":1: 4 columns, but 3 expected (the model takes 2 inputs and the label); if the first row is a "
                        + "header, add --header",
                e.getMessage());
        e = assertThrows(InputException.class, () -> CsvData.readLabeled(file("1\n2\n"), 0, 0, false));
        assertEquals(
                f + ":1: 1 column, but the last is the label; at least one input column must come first",
                e.getMessage());
    }

    @Test
    void npyLabelsBecomeOneHotTargets() {
        Path x = dir.resolve("x.npy");
        Path y = dir.resolve("y.npy");
        NpyArray.write(x, new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        NpyArray.write(y, new double[] {1, 0, 1}, 3, 1);
        Samples s = ClassLabels.npy(x, y, 0);
        assertEquals(2, s.targetWidth());
        double[] t = new double[6];
        s.copyTargets(0, 3, t, 0);
        assertArrayEquals(new double[] {0, 1, 1, 0, 0, 1}, t, 0.0);
        assertEquals(4, ClassLabels.npy(x, y, 4).targetWidth());
        InputException e = assertThrows(InputException.class, () -> ClassLabels.npy(x, y, 1));
        assertEquals(y + ": row 1: label 1 is not a class index 0..0 (the model has 1 output)", e.getMessage());
        NpyArray.write(y, new double[] {1, 0.5, 1}, 3, 1);
        e = assertThrows(InputException.class, () -> ClassLabels.npy(x, y, 0));
        assertEquals(y + ": row 2: label 0.5 is not a class index (a whole number from 0 up)", e.getMessage());
        NpyArray.write(y, new double[] {1, 0, 1, 0, 1, 0}, 3, 2);
        e = assertThrows(InputException.class, () -> ClassLabels.npy(x, y, 0));
        assertTrue(
                e.getMessage()
                        .endsWith(
                                "2 columns; --labels reads one label a sample, a 1-D array (N,) of class " + "indices"),
                e.getMessage());
    }

    @Test
    void aFirstRowWithANumberIsData() throws IOException {
        InputException e = assertThrows(InputException.class, () -> CsvData.read(file("0.1,abc,1\n1,2,3\n"), 2, 1));
        assertEquals(
                dir.resolve("d.csv")
                        + ":1:2: column 2 is 'abc', not a number; if the first row is a header, add --header",
                e.getMessage());
        e = assertThrows(InputException.class, () -> CsvData.read(file("1,2,3\n0.1,abc,1\n"), 2, 1));
        assertEquals(dir.resolve("d.csv") + ":2:2: column 2 is 'abc', not a number", e.getMessage(), "only line 1");
    }

    @Test
    void withHeaderTheFirstRowIsAHeaderWhateverItHolds() throws IOException {
        Path iris = file("150,4,setosa,versicolor,virginica\n5.1,3.5,1.4,0.2,0\n7.0,3.2,4.7,1.4,1\n");
        CsvTable t = CsvTable.read(iris, 0, "", true);
        assertEquals(2, t.rows());
        assertEquals(5, t.cols());
        assertEquals(2, t.firstDataLine());
        assertArrayEquals(new double[] {5.1, 3.5, 1.4, 0.2, 0, 7.0, 3.2, 4.7, 1.4, 1}, t.values(), 0.0);
        InputException e = assertThrows(InputException.class, () -> CsvTable.read(iris, 0, "", false));
        assertEquals(
                iris + ":1:3: column 3 is 'setosa', not a number; if the first row is a header, add --header",
                e.getMessage());

        Path counts = file("150,4\n5.1,3.5,1.4,0.2,0\n");
        assertEquals(1, CsvTable.read(counts, 0, "", true).rows());
        e = assertThrows(InputException.class, () -> CsvTable.read(counts, 0, "", false));
        assertEquals(
                counts + ":2: 5 columns, but 2 expected (like the rows before it); if the first row is a header, "
                        + "add --header",
                e.getMessage());
        e = assertThrows(InputException.class, () -> CsvData.read(counts, 4, 1));
        assertEquals(
                counts + ":1: 2 columns, but 5 expected (the model takes 4 inputs and 1 target); if the first row "
                        + "is a header, add --header",
                e.getMessage());
        e = assertThrows(InputException.class, () -> CsvTable.read(file("1,2\n3,4\n5\n"), 0, "", false));
        assertEquals(dir.resolve("d.csv") + ":3: 1 column, but 2 expected (like the rows before it)", e.getMessage());

        e = assertThrows(InputException.class, () -> CsvTable.read(file("1,2\n\n"), 0, "", true));
        assertEquals(dir.resolve("d.csv") + ": no samples (only a header)", e.getMessage());
        assertEquals(2, CsvTable.read(file("x,y\n1,2\n3,4\n"), 0, "", false).rows(), "a header without the flag");
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
    void aLongCellIsShownByItsStart() throws IOException {
        Path f = file("1,2\n1," + "x".repeat(100) + "\n");
        InputException e = assertThrows(InputException.class, () -> CsvData.read(f, 1, 1));
        assertEquals(f + ":2:2: column 2 is '" + "x".repeat(32) + "...' (100 bytes), not a number", e.getMessage());
        Path big = file("1," + "9".repeat(400) + "\n");
        e = assertThrows(InputException.class, () -> CsvData.read(big, 1, 1));
        assertEquals(
                big + ":1:2: column 2 is " + "9".repeat(32) + "... (400 bytes), beyond the range of a double "
                        + "(infinity is not allowed in data)",
                e.getMessage());
    }

    @Test
    void aNulByteIsRefusedWithItsPlace() throws IOException {
        Path f = file("1,2,3\n4,5\u0000,6\n");
        InputException e = assertThrows(InputException.class, () -> CsvData.read(f, 2, 1));
        assertEquals(f + ":2:2: a NUL byte; this is not a text CSV file", e.getMessage());
    }

    @Test
    void aLineLongerThanTheLimitIsRefusedWhereverItEnds() throws IOException {
        String fits = "1234567890,12345"; // 16 bytes, the limit here
        CsvTable t = CsvTable.read(file("1,2\n" + fits + "\n" + fits + "\n3,4"), 0, "", 16);
        assertEquals(4, t.rows());
        assertEquals(12345, t.values()[5], 0.0);
        String message = ": a line longer than 16 bytes (the most the engine accepts); "
                + "is this a CSV file of one sample a line?";
        for (String content : new String[] {
            "1,2\n" + fits + "6\n3,4\n", // past the limit before its newline
            "1,2\n1,2\n" + fits + "6", // the last line, without a newline
            "1,2\n1,2\n" + "7".repeat(100) + "\n", // several buffers long
        }) {
            Path f = file(content);
            InputException e = assertThrows(InputException.class, () -> CsvTable.read(f, 0, "", 16), content);
            assertEquals(f + (content.startsWith("1,2\n1,2") ? ":3" : ":2") + message, e.getMessage(), content);
        }
        // A line longer than the first buffer (4 MiB) grows it up to the limit, and no further.
        Path wide = file("x".repeat(6 << 20) + "\n1,2\n"); // a 6 MiB header
        assertEquals(2, CsvTable.read(wide, 0, "", 8 << 20).cols());
        InputException e = assertThrows(InputException.class, () -> CsvTable.read(wide, 0, "", 5 << 20));
        assertEquals(
                wide + ":1: a line longer than " + (5 << 20) + " bytes (the most the engine accepts); "
                        + "is this a CSV file of one sample a line?",
                e.getMessage());
    }

    @Test
    void cellsSeparatedBySemicolonsOrTabsAreNamed() throws IOException {
        for (String content : new String[] {"x;y;t\n1;2;3\n", "x;y;t\n", "\n1.5;2;3\n"}) {
            Path f = file(content);
            InputException e = assertThrows(InputException.class, () -> CsvData.readWithTargets(f, 1), content);
            assertEquals(
                    f + (content.startsWith("\n") ? ":2" : ":1")
                            + ": the cells are separated by ';', not commas; Nabla reads comma-separated values",
                    e.getMessage());
        }
        Path tabs = file("1\t2\t3\n");
        InputException e = assertThrows(InputException.class, () -> CsvData.readWithTargets(tabs, 1));
        assertEquals(
                tabs + ":1: the cells are separated by tabs, not commas; Nabla reads comma-separated values",
                e.getMessage());
        Dataset spaced = CsvData.readWithTargets(file("1,\t2\t\n"), 1);
        assertEquals(2, spaced.targets()[0], 0.0, "tabs around a comma are blanks");
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

package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.nabla.InputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CSV file cut into byte ranges ({@link CsvTable#readRange}) reads as the whole file does: the
 * ranges' rows in order are the file's rows, whatever the cuts, and an error names the line the
 * whole-file reader names. The twin is {@link CsvTable#read}.
 */
class CsvTableRangeTest {
    @TempDir
    Path dir;

    /** A byte-order mark, a header, blank lines, CRLF, quoted cells, long and short lines, no final newline. */
    private static final String TRICKY = "\uFEFFx1,x2,t\r\n"
            + "1,2,3\r\n"
            + "\n"
            + "4.5, \"5\" ,6e-3\n"
            + "   \n"
            + "7,8,9\n"
            + "0.1234567890123456789,-2,3.25\n"
            + "\r\n"
            + "10,11,12";

    @Test
    void everyCutInTwoOrThreeGivesTheWholeFilesRows() throws IOException {
        byte[] bytes = TRICKY.getBytes(StandardCharsets.UTF_8);
        CsvTable whole = whole(bytes, false);
        for (int a = 0; a <= bytes.length; a++) {
            assertArrayEquals(whole.values(), ranges(bytes, false, 0, a, bytes.length), "cut at " + a);
            for (int b = a; b <= bytes.length; b += 3) {
                assertArrayEquals(whole.values(), ranges(bytes, false, 0, a, b, bytes.length), "cuts " + a + ", " + b);
            }
        }
    }

    @Test
    void manyRangesOfALargerFileGiveItsRows() throws IOException {
        SplittableRandom rng = new SplittableRandom(7);
        StringBuilder sb = new StringBuilder("a,b,c,d\n");
        for (int r = 0; r < 2000; r++) {
            sb.append(rng.nextDouble())
                    .append(',')
                    .append(rng.nextInt(100))
                    .append(",\"")
                    .append(-rng.nextDouble())
                    .append("\",")
                    .append(rng.nextDouble() * 1e6)
                    .append(r % 7 == 0 ? "\r\n" : "\n");
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        CsvTable whole = whole(bytes, true);
        assertEquals(2000, whole.rows());
        for (int parts : new int[] {2, 3, 7, 64, 997}) {
            long[] cuts = new long[parts + 1];
            for (int i = 0; i <= parts; i++) {
                cuts[i] = (long) bytes.length * i / parts;
            }
            assertArrayEquals(whole.values(), ranges(bytes, true, cuts), parts + " ranges");
        }
    }

    @Test
    void aBadRowInALaterRangeNamesTheLineTheWholeFileReaderNames() throws IOException {
        String text = "x,y\n1,2\n3,4\n5,oops\n7,8\n9\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("bad.csv");
        Files.write(f, bytes);
        String wholeMessage = assertThrows(InputException.class, () -> CsvTable.read(f, 2, "two columns", true))
                .getMessage();
        assertEquals(f + ":4:2: column 2 is 'oops', not a number", wholeMessage);
        for (int cut = 1; cut < text.indexOf("5,oops"); cut++) { // the bad line in the second range
            int at = cut;
            String m = assertThrows(InputException.class, () -> range(f.toString(), bytes, true, at, bytes.length, 2))
                    .getMessage();
            assertEquals(wholeMessage, m, "cut at " + cut);
        }
        // a short row after the bad one, once the bad one is in the range before
        int after = text.indexOf("7,8");
        String m = assertThrows(InputException.class, () -> range("bad.csv", bytes, true, after, bytes.length, 2))
                .getMessage();
        assertEquals("bad.csv:6: 1 column, but 2 expected (like the rows before it)", m);
    }

    @Test
    void aRangeInsideOneLineHoldsNoRows() throws IOException {
        byte[] bytes = "1,2\n3,4\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(0, range("f", bytes, false, 5, 7, 2).length); // inside "3,4", which starts at 4
        assertEquals(0, range("f", bytes, false, 8, 8, 2).length);
        assertArrayEquals(new double[] {3, 4}, range("f", bytes, false, 4, 5, 2));
        assertArrayEquals(new double[] {1, 2}, range("f", bytes, false, 0, 4, 2)); // ends at a line's end
    }

    private CsvTable whole(byte[] bytes, boolean header) throws IOException {
        Path f = dir.resolve("whole.csv");
        Files.write(f, bytes);
        return CsvTable.read(f, 0, "", header);
    }

    /** The rows of the ranges between consecutive cuts, one after another. */
    private static double[] ranges(byte[] bytes, boolean header, long... cuts) throws IOException {
        DoubleStream all = DoubleStream.empty();
        for (int i = 0; i + 1 < cuts.length; i++) {
            all = DoubleStream.concat(all, DoubleStream.of(range("f", bytes, header, cuts[i], cuts[i + 1])));
        }
        return all.toArray();
    }

    private static double[] range(String name, byte[] bytes, boolean header, long start, long end) throws IOException {
        return range(name, bytes, header, start, end, header ? 4 : 3);
    }

    private static double[] range(String name, byte[] bytes, boolean header, long start, long end, int cols)
            throws IOException {
        long newlines = 0;
        for (int i = 0; i < start; i++) {
            newlines += bytes[i] == '\n' ? 1 : 0;
        }
        int from = (int) Math.max(0, start - 1);
        InputStream in = new ByteArrayInputStream(bytes, from, bytes.length - from);
        return CsvTable.readRange(name, in, start, end, newlines, cols, "the columns", header, 0)
                .values();
    }
}

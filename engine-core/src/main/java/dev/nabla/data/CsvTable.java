package dev.nabla.data;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.io.InputFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * A CSV file of numbers: one sample per row, cells separated by commas, every row as wide as the
 * first. A first row in which no cell is a number is a header and is skipped; blank lines are
 * skipped. A cell that is not a finite decimal number, or a row of another width, is an
 * {@link InputException} naming {@code file:line:column} (column = the cell's position in its
 * row, from 1).
 *
 * <p>The file is parsed as bytes, a few megabytes at a time, with no object per cell; each cell
 * is converted by {@link Decimals}, to the double nearest its decimal text.
 *
 * @param firstDataLine the file line of the first data row, for messages about the whole table
 */
public record CsvTable(String name, int rows, int cols, double[] values, int firstDataLine) {
    private static final int CHUNK = 1 << 22;

    /**
     * Reads {@code file}; when {@code expectedCols > 0} every row must have exactly that many
     * cells, and {@code expectedWhy} says why in the message ("the model takes 2 inputs and 2 targets").
     */
    public static CsvTable read(Path file, int expectedCols, String expectedWhy) {
        InputFiles.requireReadableFile(file);
        try (InputStream in = Files.newInputStream(file)) {
            return new Parser(file.toString(), expectedCols, expectedWhy).parse(in);
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
    }

    /** The state of one parse: the table so far and where in the file it is. */
    private static final class Parser {
        private final String name;
        private final String expectedWhy;
        private int cols;
        private double[] values = new double[1024];
        private int count;
        private int rows;
        private int line;
        private int firstDataLine;
        private boolean headerSeen;
        private int[] cellStart = new int[16];
        private int[] cellEnd = new int[16];

        Parser(String name, int expectedCols, String expectedWhy) {
            this.name = name;
            this.cols = expectedCols;
            this.expectedWhy = expectedWhy;
        }

        CsvTable parse(InputStream in) throws IOException {
            byte[] buf = new byte[CHUNK];
            int filled = 0;
            boolean first = true;
            while (true) {
                int n = in.readNBytes(buf, filled, buf.length - filled);
                filled += n;
                boolean eof = filled < buf.length;
                int start = 0;
                if (first) {
                    first = false;
                    if (filled >= 3 && buf[0] == (byte) 0xEF && buf[1] == (byte) 0xBB && buf[2] == (byte) 0xBF) {
                        start = 3; // UTF-8 byte order mark
                    }
                }
                int lineStart = start;
                for (int i = start; i < filled; i++) {
                    if (buf[i] == '\n') {
                        row(buf, lineStart, i);
                        lineStart = i + 1;
                    }
                }
                if (eof) {
                    if (lineStart < filled) {
                        row(buf, lineStart, filled);
                    }
                    break;
                }
                // Keep the unfinished last line; grow the buffer if one line fills it.
                int rest = filled - lineStart;
                if (lineStart == 0) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                } else {
                    System.arraycopy(buf, lineStart, buf, 0, rest);
                }
                filled = rest;
            }
            if (rows == 0) {
                throw new InputException(
                        name + ": no samples (" + (headerSeen ? "only a header" : "the file is empty") + ")");
            }
            return new CsvTable(name, rows, cols, Arrays.copyOf(values, count), firstDataLine);
        }

        /** One line, bytes {@code [from, to)} without its newline. */
        private void row(byte[] b, int from, int to) {
            line++;
            if (to > from && b[to - 1] == '\r') {
                to--;
            }
            int n = split(b, from, to);
            if (n == 1 && cellStart[0] == cellEnd[0]) {
                return; // blank
            }
            checkUtf8(b, from, to);
            if (rows == 0 && !headerSeen && noneNumeric(b, n)) {
                headerSeen = true;
                return;
            }
            if (cols <= 0) {
                cols = n;
            }
            if (n != cols) {
                String why = rows == 0 ? expectedWhy : "like the rows before it";
                throw new InputException(name + ":" + line + ": " + Plural.of(n, "column") + ", but " + cols
                        + " expected (" + why + ")");
            }
            if (count + n > values.length) {
                long grown = Math.max((long) values.length * 2, (long) count + n);
                if (grown > Integer.MAX_VALUE - 8) {
                    throw new InputException(name + ":" + line + ": more values than one table can hold");
                }
                values = Arrays.copyOf(values, (int) grown);
            }
            for (int c = 0; c < n; c++) {
                values[count++] = cell(b, cellStart[c], cellEnd[c], c + 1);
            }
            if (rows == 0) {
                firstDataLine = line;
            }
            rows++;
        }

        /** Splits on commas into trimmed cells; returns their number. */
        private int split(byte[] b, int from, int to) {
            int n = 0;
            int start = from;
            for (int i = from; i <= to; i++) {
                if (i == to || b[i] == ',') {
                    if (n == cellStart.length) {
                        cellStart = Arrays.copyOf(cellStart, 2 * n);
                        cellEnd = Arrays.copyOf(cellEnd, 2 * n);
                    }
                    int s = start;
                    int e = i;
                    while (s < e && (b[s] & 0xff) <= ' ') {
                        s++;
                    }
                    while (e > s && (b[e - 1] & 0xff) <= ' ') {
                        e--;
                    }
                    cellStart[n] = s;
                    cellEnd[n] = e;
                    n++;
                    start = i + 1;
                }
            }
            return n;
        }

        private boolean noneNumeric(byte[] b, int n) {
            for (int c = 0; c < n; c++) {
                if (Decimals.isDecimal(b, cellStart[c], cellEnd[c])) {
                    return false;
                }
            }
            return true;
        }

        /** Lines with bytes above ASCII must be valid UTF-8 (numbers are ASCII; a header may not be). */
        private void checkUtf8(byte[] b, int from, int to) {
            for (int i = from; i < to; i++) {
                if (b[i] < 0) {
                    try {
                        StandardCharsets.UTF_8
                                .newDecoder()
                                .onMalformedInput(CodingErrorAction.REPORT)
                                .decode(ByteBuffer.wrap(b, from, to - from));
                    } catch (CharacterCodingException e) {
                        throw new InputException(name + ":" + line + ": not UTF-8 text");
                    }
                    return;
                }
            }
        }

        private double cell(byte[] b, int s, int e, int column) {
            String where = name + ":" + line + ":" + column + ": ";
            if (s == e) {
                throw new InputException(where + "column " + column + " is empty, not a number");
            }
            if (!Decimals.isDecimal(b, s, e)) {
                String text = new String(b, s, e - s, StandardCharsets.UTF_8);
                String lower = text.toLowerCase(Locale.ROOT).replaceFirst("^[+-]", "");
                if (lower.equals("nan") || lower.equals("inf") || lower.equals("infinity")) {
                    throw new InputException(
                            where + "column " + column + " is " + text + "; NaN and infinity are not allowed in data");
                }
                throw new InputException(where + "column " + column + " is '" + text + "', not a number");
            }
            double v = Decimals.decimal(b, s, e);
            if (!Double.isFinite(v)) {
                throw new InputException(
                        where + "column " + column + " is " + new String(b, s, e - s, StandardCharsets.US_ASCII)
                                + ", beyond the range of a double (infinity is not allowed in data)");
            }
            return v;
        }
    }
}

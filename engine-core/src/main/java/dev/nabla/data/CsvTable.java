package dev.nabla.data;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.io.InputFiles;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A CSV file of numbers: one sample per row, cells separated by commas, every row as wide as the
 * first. A first row in which no cell is a number is a header and is skipped; blank lines are
 * skipped. A cell may be in double quotes, as spreadsheets write them ({@code "1.5"}, blanks
 * allowed outside the quotes); a quote that does not close on its line, or text after the closing
 * quote, is an error. A cell that is not a finite decimal number, or a row of another width, is an
 * {@link InputException} naming {@code file:line:column} (column = the cell's position in its
 * row, from 1). So is what shows the file is not such CSV: a NUL byte (a binary file), a line
 * longer than {@link #MAX_LINE_BYTES}, and a line of cells separated by {@code ;} or tabs.
 *
 * <p>The file is parsed as bytes, a few megabytes at a time, with no object per cell; each cell
 * is converted by {@link Decimals}, to the double nearest its decimal text.
 *
 * <p>A large file can be parsed by several readers, each taking the lines that start in its byte
 * range ({@link #readRange}); the ranges' rows, in order, are the file's.
 *
 * @param firstDataLine the file line of the first data row, for messages about the whole table
 * @param headerSeen whether a header row was skipped
 */
public record CsvTable(String name, int rows, int cols, double[] values, int firstDataLine, boolean headerSeen) {
    private static final int CHUNK = 1 << 22;
    /**
     * The longest line read, in bytes (without its newline): 64 MiB, room for a sample of millions
     * of values; a longer one is refused rather than buffered without end (a file with no
     * newline, a binary file).
     */
    public static final int MAX_LINE_BYTES = 64 << 20;

    /**
     * Reads {@code file}; when {@code expectedCols > 0} every row must have exactly that many
     * cells, and {@code expectedWhy} says why in the message ("the model takes 2 inputs and 2 targets").
     */
    public static CsvTable read(Path file, int expectedCols, String expectedWhy) {
        return read(file, expectedCols, expectedWhy, false);
    }

    /**
     * {@link #read(Path, int, String)}; with {@code header} the first row is a header whatever it
     * holds, and without it a first row that is not all numbers (or not as wide as the rows
     * below) is refused with a message that suggests {@code --header}.
     */
    public static CsvTable read(Path file, int expectedCols, String expectedWhy, boolean header) {
        return read(file, expectedCols, expectedWhy, header, 0, MAX_LINE_BYTES);
    }

    /**
     * {@link #read(Path, int, String, boolean)} of a table whose last column holds class labels:
     * each must be a class index below {@code classes} (the model's outputs), or with
     * {@code classes} 0 any whole number from 0; another is an error naming its line and column.
     */
    static CsvTable readLabeled(Path file, int expectedCols, String expectedWhy, boolean header, int classes) {
        return read(file, expectedCols, expectedWhy, header, classes > 0 ? classes : -1, MAX_LINE_BYTES);
    }

    /** {@link #read(Path, int, String)} with lines of at most {@code maxLineBytes} bytes. */
    static CsvTable read(Path file, int expectedCols, String expectedWhy, int maxLineBytes) {
        return read(file, expectedCols, expectedWhy, false, 0, maxLineBytes);
    }

    /** {@code classes}: 0, no labels; -1, labels of any class; else labels below it. */
    private static CsvTable read(
            Path file, int expectedCols, String expectedWhy, boolean header, int classes, int maxLineBytes) {
        InputFiles.requireReadableFile(file);
        try (InputStream in = open(file)) {
            return new Parser(file.toString(), expectedCols, expectedWhy, header, classes, maxLineBytes).parse(in);
        } catch (ZipException e) {
            throw new InputException(
                    file + ": starts as a gzip file does, but cannot be decompressed (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
    }

    /**
     * The rows of the lines of a CSV file that start in its bytes {@code [start, end)}, as one of
     * several readers of a file cut into byte ranges reads them: the line that straddles
     * {@code end} is this range's, read to its newline, and a range that starts inside a line
     * skips to the next. So the ranges of a file, in order, give the rows of the whole file, each
     * once, whatever the cuts. The first range ({@code start} 0) reads a byte-order mark and a
     * header as {@link #read(Path, int, String, boolean)} does; the others read every line as a
     * row. A range may hold no rows. Errors name the file's line numbers, as reading it whole does.
     *
     * @param name the file's name, for messages
     * @param in the file's bytes (not gzip-compressed) from {@code max(0, start - 1)} on
     * @param newlinesBefore the newline bytes in {@code [0, start)}
     * @param expectedCols the cells of every row (greater than 0)
     * @param classes 0, or the classes that the last column's labels must be below
     */
    public static CsvTable readRange(
            String name,
            InputStream in,
            long start,
            long end,
            long newlinesBefore,
            int expectedCols,
            String expectedWhy,
            boolean header,
            int classes)
            throws IOException {
        if (start < 0
                || end < start
                || newlinesBefore < 0
                || newlinesBefore > start
                || expectedCols < 1
                || classes < 0) {
            throw new IllegalArgumentException("readRange: bytes [" + start + ", " + end + "), " + newlinesBefore
                    + " newlines before, " + expectedCols + " columns");
        }
        long pos = start;
        long line = newlinesBefore; // lines ended before the first one read
        if (start > 0) { // from byte start - 1: a line starts at start only after a newline
            InputStream b = new BufferedInputStream(in, 1 << 16);
            in = b;
            int c = b.read();
            pos = start;
            while (c != -1 && c != '\n') {
                c = b.read();
                pos++;
            }
            if (c == -1) {
                pos = Long.MAX_VALUE; // no line starts in the range
            } else if (pos > start) {
                line++; // the skipped part ended a line of this range's bytes
            }
        }
        Parser p = new Parser(name, expectedCols, expectedWhy, header, classes, MAX_LINE_BYTES);
        p.line = Math.toIntExact(line);
        p.continued = start > 0;
        p.ranged = true;
        if (pos >= end) {
            return new CsvTable(name, 0, expectedCols, new double[0], 0, false);
        }
        return p.parse(new LinesFrom(in, end - pos));
    }

    /**
     * A stream that ends at the first newline at or after its first {@code length} bytes: one
     * range's lines, the one that straddles its end included.
     */
    private static final class LinesFrom extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        LinesFrom(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            if (left > 0) {
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n < 0) {
                    done = true;
                    return -1;
                }
                left -= n;
                done = left == 0 && b[off + n - 1] == '\n'; // the range ends at a line's end
                return n;
            }
            int n = 0; // past the range: to the end of the line it ends in, a byte at a time
            while (n < len) {
                int c = in.read();
                if (c < 0) {
                    done = true;
                    break;
                }
                b[off + n++] = (byte) c;
                if (c == '\n') {
                    done = true;
                    break;
                }
            }
            return n == 0 ? -1 : n;
        }
    }

    /** The error for a file without a row of data: empty, or {@code headerSeen} only a header. */
    public static InputException noSamples(String name, boolean headerSeen) {
        return new InputException(name + ": no samples (" + (headerSeen ? "only a header" : "the file is empty") + ")");
    }

    /** The file's bytes, decompressed when it is gzip-compressed ({@link #decompressed}). */
    public static InputStream open(Path file) throws IOException {
        return decompressed(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    }

    /**
     * The file's first non-blank line as UTF-8 text, without a byte-order mark; null when it has
     * none or cannot be read (reading it in full says why). What a header is told by.
     */
    public static String firstLine(Path file) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = in.readLine();
            } while (line != null && line.isBlank());
            return line == null || !line.startsWith("\uFEFF") ? line : line.substring(1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The stream, decompressed when it starts with gzip's magic bytes ({@code 1f 8b}): CSV as
     * some packages ship it ({@code digits.csv.gz}) reads as the CSV it holds. A CSV's first byte
     * is never {@code 0x1f}.
     */
    private static InputStream decompressed(BufferedInputStream in) throws IOException {
        in.mark(2);
        int a = in.read();
        int b = in.read();
        in.reset();
        return a == 0x1f && b == 0x8b ? new GZIPInputStream(in, 1 << 16) : in;
    }

    /** The state of one parse: the table so far and where in the file it is. */
    private static final class Parser {
        /** The most bytes of a cell a message shows. */
        private static final int SHOWN = 40;
        /** Added to an error about the first row when it may be a header. */
        private static final String HEADER_HINT = "; if the first row is a header, add --header";

        private final String name;
        private final String expectedWhy;
        private final int maxLine;
        /** The first row is a header whatever it holds. */
        private final boolean header;
        /** The last column's labels: 0, none; -1, any class; else the number of classes. */
        private final int classes;
        /** Labels must be below this; 0 when there are none. */
        private final int labelLimit;

        private int cols;
        private double[] values = new double[1024];
        private int count;
        private int rows;
        private int line;
        private int firstDataLine;
        private boolean headerSeen;
        /** A range after the first of a file: no byte-order mark, no header, rows before it. */
        private boolean continued;
        /** One range of a file ({@link #readRange}), which may hold no rows. */
        private boolean ranged;

        private int[] cellStart = new int[16];
        private int[] cellEnd = new int[16];
        /** Whether each cell of the row was in double quotes. */
        private boolean[] quoted = new boolean[16];

        Parser(String name, int expectedCols, String expectedWhy, boolean header, int classes, int maxLine) {
            this.name = name;
            this.header = header;
            this.classes = classes;
            this.labelLimit = classes == 0 ? 0 : classes > 0 ? classes : ArrayLimit.MAX_LENGTH;
            this.cols = expectedCols;
            this.expectedWhy = expectedWhy;
            this.maxLine = maxLine;
        }

        /**
         * Reads the lines a buffer at a time. The buffer grows only while one line fills it, to at
         * most one byte past the longest line accepted, so every line is checked against that
         * length before more of it is read.
         */
        CsvTable parse(InputStream in) throws IOException {
            byte[] buf = new byte[Math.min(CHUNK, maxLine + 1)];
            int filled = 0;
            boolean first = true;
            while (true) {
                int n = in.readNBytes(buf, filled, buf.length - filled);
                filled += n;
                boolean eof = filled < buf.length;
                int start = 0;
                if (first) {
                    first = false;
                    if (!continued
                            && filled >= 3
                            && buf[0] == (byte) 0xEF
                            && buf[1] == (byte) 0xBB
                            && buf[2] == (byte) 0xBF) {
                        start = 3; // UTF-8 byte order mark
                    }
                }
                int lineStart = start;
                for (int i = start; i < filled; i++) {
                    byte b = buf[i];
                    if (b == '\n') {
                        checkLength(i - lineStart);
                        row(buf, lineStart, i);
                        lineStart = i + 1;
                    } else if (b == 0) {
                        throw nul(buf, lineStart, i);
                    }
                }
                int rest = filled - lineStart;
                checkLength(rest);
                if (eof) {
                    if (rest > 0) {
                        row(buf, lineStart, filled);
                    }
                    break;
                }
                // Keep the unfinished last line; grow the buffer if one line fills it.
                if (lineStart == 0) {
                    buf = Arrays.copyOf(buf, (int) Math.min(2L * buf.length, maxLine + 1L));
                } else {
                    System.arraycopy(buf, lineStart, buf, 0, rest);
                }
                filled = rest;
            }
            if (rows == 0 && !ranged) {
                throw noSamples(name, headerSeen);
            }
            return new CsvTable(name, rows, cols, Arrays.copyOf(values, count), firstDataLine, headerSeen);
        }

        /** The next line, or its part read so far, is {@code length} bytes: at most {@link #maxLine}. */
        private void checkLength(int length) {
            if (length > maxLine) {
                throw new InputException(name + ":" + (line + 1) + ": a line longer than " + maxLine
                        + " bytes (the most the engine accepts); is this a CSV file of one sample a line?");
            }
        }

        /** The error for the NUL byte at {@code at} in the next line, which starts at {@code from}. */
        private InputException nul(byte[] b, int from, int at) {
            int column = 1;
            for (int i = from; i < at; i++) {
                if (b[i] == ',') {
                    column++;
                }
            }
            return new InputException(
                    name + ":" + (line + 1) + ":" + column + ": a NUL byte; this is not a text CSV file");
        }

        /** One line, bytes {@code [from, to)} without its newline. */
        private void row(byte[] b, int from, int to) {
            line++;
            if (to > from && b[to - 1] == '\r') {
                to--;
            }
            int n = split(b, from, to);
            if (n == 1 && cellStart[0] == cellEnd[0] && !quoted[0]) {
                return; // blank
            }
            checkUtf8(b, from, to);
            if (n == 1 && !quoted[0]) {
                checkSeparator(b, cellStart[0], cellEnd[0]);
            }
            if (rows == 0 && !headerSeen && !continued && (header || noneNumeric(b, n))) {
                headerSeen = true;
                return;
            }
            if (cols <= 0) {
                cols = n;
            }
            if (n != cols) {
                String why = rows == 0 && !continued ? expectedWhy : "like the rows before it";
                throw new InputException(name + ":" + line + ": " + Plural.of(n, "column") + ", but " + cols
                        + " expected (" + why + ")" + (rows <= 1 && mayBeHeader() ? HEADER_HINT : ""));
            }
            if (count + n > values.length) {
                long grown = Math.max((long) values.length * 2, (long) count + n);
                if (grown > Integer.MAX_VALUE - 8) {
                    throw new InputException(name + ":" + line + ": more values than one table can hold");
                }
                values = Arrays.copyOf(values, (int) grown);
            }
            for (int c = 0; c < n; c++) {
                values[count++] = cell(b, cellStart[c], cellEnd[c], c + 1, quoted[c]);
            }
            if (labelLimit > 0 && !ClassLabels.isClass(values[count - 1], labelLimit)) {
                throw new InputException(name + ":" + line + ":" + n + ": "
                        + ClassLabels.notAClass(shown(b, cellStart[n - 1], cellEnd[n - 1]), Math.max(classes, 0)));
            }
            if (rows == 0) {
                firstDataLine = line;
            }
            rows++;
        }

        /**
         * Splits on commas into trimmed cells; returns their number. A cell that starts with a
         * double quote (after blanks) ends at the next quote that is not doubled; its content,
         * trimmed, is the cell, and only blanks may follow it before the comma.
         */
        private int split(byte[] b, int from, int to) {
            int n = 0;
            int i = from;
            while (true) {
                if (n == cellStart.length) {
                    cellStart = Arrays.copyOf(cellStart, 2 * n);
                    cellEnd = Arrays.copyOf(cellEnd, 2 * n);
                    quoted = Arrays.copyOf(quoted, 2 * n);
                }
                int s = i;
                while (s < to && (b[s] & 0xff) <= ' ') {
                    s++;
                }
                int next;
                int e;
                if (s < to && b[s] == '"') {
                    int close = closingQuote(b, s + 1, to, n + 1);
                    next = close + 1;
                    boolean tab = false;
                    while (next < to && (b[next] & 0xff) <= ' ') {
                        tab |= b[next] == '\t';
                        next++;
                    }
                    if (next < to && b[next] != ',') {
                        if (b[next] == ';' || tab) {
                            throw separatedBy(b[next] == ';' ? "';'" : "tabs");
                        }
                        throw new InputException(name + ":" + line + ":" + (n + 1) + ": column " + (n + 1)
                                + " has text after its closing quote");
                    }
                    s++;
                    e = close;
                    while (s < e && (b[s] & 0xff) <= ' ') {
                        s++;
                    }
                    quoted[n] = true;
                } else {
                    next = s;
                    while (next < to && b[next] != ',') {
                        next++;
                    }
                    e = next;
                    quoted[n] = false;
                }
                while (e > s && (b[e - 1] & 0xff) <= ' ') {
                    e--;
                }
                cellStart[n] = s;
                cellEnd[n] = e;
                n++;
                if (next >= to) {
                    return n;
                }
                i = next + 1;
            }
        }

        /** The quote that closes the cell {@code column} opened before {@code from}; a doubled quote is a quote in it. */
        private int closingQuote(byte[] b, int from, int to, int column) {
            for (int k = from; k < to; k++) {
                if (b[k] == '"') {
                    if (k + 1 < to && b[k + 1] == '"') {
                        k++;
                    } else {
                        return k;
                    }
                }
            }
            throw new InputException(name + ":" + line + ":" + column + ": column " + column
                    + " opens a quote that does not close on its line");
        }

        /**
         * A line without a comma is one cell; one holding a ';' or a tab is a row of cells
         * separated by that instead, which Nabla does not read.
         */
        private void checkSeparator(byte[] b, int s, int e) {
            boolean tab = false;
            for (int i = s; i < e; i++) {
                if (b[i] == ';') {
                    throw separatedBy("';'");
                }
                tab |= b[i] == '\t';
            }
            if (tab) {
                throw separatedBy("tabs");
            }
        }

        private InputException separatedBy(String separator) {
            return new InputException(name + ":" + line + ": the cells are separated by " + separator
                    + ", not commas; Nabla reads comma-separated values");
        }

        /** Whether the first row, the one being read or the one data row so far, may be a header. */
        private boolean mayBeHeader() {
            return !header && !headerSeen && !continued;
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

        /** The cell's text for a message: all of it, or its start when it is longer than {@link #SHOWN} bytes. */
        private static String shown(byte[] b, int s, int e) {
            if (e - s <= SHOWN) {
                return new String(b, s, e - s, StandardCharsets.UTF_8);
            }
            int cut = s + SHOWN - 8;
            while (cut > s && (b[cut] & 0xc0) == 0x80) {
                cut--; // not inside a UTF-8 sequence
            }
            return new String(b, s, cut - s, StandardCharsets.UTF_8) + "...";
        }

        /** The cell's length, for a message that shows only its start. */
        private static String length(int s, int e) {
            return e - s <= SHOWN ? "" : " (" + (e - s) + " bytes)";
        }

        private double cell(byte[] b, int s, int e, int column, boolean inQuotes) {
            if (s == e || !Decimals.isDecimal(b, s, e)) {
                throw notANumber(b, s, e, column, inQuotes);
            }
            double v = Decimals.decimal(b, s, e);
            if (!Double.isFinite(v)) {
                throw new InputException(name + ":" + line + ":" + column + ": column " + column + " is "
                        + shown(b, s, e) + length(s, e)
                        + ", beyond the range of a double (infinity is not allowed in data)");
            }
            return v;
        }

        /** The error for cell {@code column}, {@code [s, e)}, which is empty or not a decimal number. */
        private InputException notANumber(byte[] b, int s, int e, int column, boolean inQuotes) {
            String where = name + ":" + line + ":" + column + ": ";
            if (s == e && !inQuotes) {
                return new InputException(where + "column " + column + " is empty, not a number");
            }
            String text = shown(b, s, e);
            String lower = text.toLowerCase(Locale.ROOT).replaceFirst("^[+-]", "");
            if (lower.equals("nan") || lower.equals("inf") || lower.equals("infinity")) {
                return new InputException(
                        where + "column " + column + " is " + text + "; NaN and infinity are not allowed in data");
            }
            String cell = inQuotes ? "\"" + text + "\"" : text;
            return new InputException(where + "column " + column + " is '" + cell + "'" + length(s, e)
                    + (inQuotes ? ", not a number (a quoted cell must hold a number)" : ", not a number")
                    + (rows == 0 && mayBeHeader() ? HEADER_HINT : ""));
        }
    }
}

package dev.nabla.data;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.io.InputFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
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
 * @param firstDataLine the file line of the first data row, for messages about the whole table
 */
public record CsvTable(String name, int rows, int cols, double[] values, int firstDataLine) {

    /**
     * Reads {@code file}; when {@code expectedCols > 0} every row must have exactly that many
     * cells, and {@code expectedWhy} says why in the message ("the model takes 2 inputs and 2 targets").
     */
    public static CsvTable read(Path file, int expectedCols, String expectedWhy) {
        String name = file.toString();
        try (BufferedReader in = InputFiles.open(file)) {
            return parse(in, name, expectedCols, expectedWhy);
        } catch (CharacterCodingException e) {
            throw new InputException(name + ": not UTF-8 text");
        } catch (IOException e) {
            throw InputFiles.cannotRead(file, e);
        }
    }

    static CsvTable parse(BufferedReader in, String name, int expectedCols, String expectedWhy) throws IOException {
        double[] values = new double[1024];
        int count = 0;
        int cols = expectedCols;
        int rows = 0;
        int lineNo = 0;
        int firstDataLine = 0;
        boolean headerSeen = false;
        String[] cells = new String[16];
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1); // UTF-8 byte order mark
            }
            if (line.isBlank()) {
                continue;
            }
            int n = split(line, cells);
            if (n > cells.length) {
                cells = new String[n];
                split(line, cells);
            }
            if (rows == 0 && !headerSeen && noneNumeric(cells, n)) {
                headerSeen = true;
                continue;
            }
            if (cols <= 0) {
                cols = n;
            }
            if (n != cols) {
                String why = rows == 0 ? expectedWhy : "like the rows before it";
                throw new InputException(name + ":" + lineNo + ": " + Plural.of(n, "column") + ", but " + cols
                        + " expected (" + why + ")");
            }
            if (count + n > values.length) {
                long grown = Math.max((long) values.length * 2, (long) count + n);
                if (grown > Integer.MAX_VALUE - 8) {
                    throw new InputException(name + ":" + lineNo + ": more values than one table can hold");
                }
                values = Arrays.copyOf(values, (int) grown);
            }
            for (int c = 0; c < n; c++) {
                values[count++] = cell(cells[c], name, lineNo, c + 1);
            }
            if (rows == 0) {
                firstDataLine = lineNo;
            }
            rows++;
        }
        if (rows == 0) {
            throw new InputException(name + ": no samples (" + (headerSeen ? "only a header" : "the file is empty") + ")");
        }
        return new CsvTable(name, rows, cols, Arrays.copyOf(values, count), firstDataLine);
    }

    /** Splits on commas into {@code cells}; returns the number of cells, which may exceed its length. */
    private static int split(String line, String[] cells) {
        int n = 0;
        int start = 0;
        while (true) {
            int comma = line.indexOf(',', start);
            int end = comma < 0 ? line.length() : comma;
            if (n < cells.length) {
                cells[n] = line.substring(start, end).trim();
            }
            n++;
            if (comma < 0) {
                return n;
            }
            start = comma + 1;
        }
    }

    private static boolean noneNumeric(String[] cells, int n) {
        for (int c = 0; c < n; c++) {
            if (isDecimal(cells[c])) {
                return false;
            }
        }
        return true;
    }

    private static double cell(String text, String name, int line, int column) {
        String where = name + ":" + line + ":" + column + ": ";
        if (text.isEmpty()) {
            throw new InputException(where + "column " + column + " is empty, not a number");
        }
        if (!isDecimal(text)) {
            String lower = text.toLowerCase(Locale.ROOT).replaceFirst("^[+-]", "");
            if (lower.equals("nan") || lower.equals("inf") || lower.equals("infinity")) {
                throw new InputException(where + "column " + column + " is " + text
                        + "; NaN and infinity are not allowed in data");
            }
            throw new InputException(where + "column " + column + " is '" + text + "', not a number");
        }
        double v = Double.parseDouble(text);
        if (!Double.isFinite(v)) {
            throw new InputException(where + "column " + column + " is " + text
                    + ", beyond the range of a double (infinity is not allowed in data)");
        }
        return v;
    }

    /** A decimal number: {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?}. */
    static boolean isDecimal(String s) {
        int i = 0;
        int n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exp = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                exp++;
            }
            if (exp == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }
}

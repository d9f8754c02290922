package dev.nabla.cli;

import dev.nabla.data.CsvTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The column names of a CSV's header row, for messages that name columns. */
final class CsvHeader {
    private CsvHeader() {}

    /**
     * The first {@code count} names of {@code file}'s header: its first non-blank line, when
     * {@code header} says it is one or no cell of it is a number (as the reader takes a header);
     * null when there is none, or it cannot be read, or it has fewer cells.
     */
    static List<String> names(Path file, boolean header, int count) {
        String line = CsvTable.firstLine(file);
        if (line == null) {
            return null; // the message names columns by number then
        }
        List<String> cells = cells(line);
        if (cells.size() < count || (!header && cells.stream().anyMatch(CsvHeader::isNumber))) {
            return null;
        }
        return cells.subList(0, count);
    }

    /** Comma-separated cells, trimmed; a cell in double quotes may hold commas, a doubled quote stands for one. */
    static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        out.add(cell.toString().strip());
        return out;
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}

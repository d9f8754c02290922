package dev.nabla.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The terminal the engine draws its progress bar on: how many columns a line may take. */
final class Terminal {
    /** Where nothing says how wide the terminal is. */
    static final int DEFAULT_COLUMNS = 80;

    private Terminal() {}

    /**
     * The terminal's width: {@code $COLUMNS} where the shell exports it, else what {@code stty size}
     * reads from the controlling terminal, else {@value #DEFAULT_COLUMNS}. A line as wide as the
     * terminal or wider wraps, and a bar redrawn with a carriage return would then pile up lines.
     */
    static int columns() {
        Integer fromEnv = positive(System.getenv("COLUMNS"));
        if (fromEnv != null) {
            return fromEnv;
        }
        if (new File("/dev/tty").canRead()) {
            try {
                Process p = new ProcessBuilder("stty", "size")
                        .redirectInput(new File("/dev/tty"))
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
                if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    String[] rowsColumns = out.split("\\s+");
                    Integer cols = rowsColumns.length == 2 ? positive(rowsColumns[1]) : null;
                    if (cols != null) {
                        return cols;
                    }
                }
            } catch (IOException e) {
                // no stty here: the default
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return DEFAULT_COLUMNS;
    }

    private static Integer positive(String s) {
        if (s == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(s.trim());
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * {@code line} as it fits in {@code columns - 1} columns (the last one left empty, so that no
     * terminal wraps): whole, or else without {@code droppable} (a part that only decorates), or
     * else cut.
     */
    static String fit(String line, String droppable, int columns) {
        int room = Math.max(1, columns - 1);
        if (line.length() <= room) {
            return line;
        }
        String shorter = droppable.isEmpty() ? line : line.replace(droppable, "");
        return shorter.length() <= room ? shorter : shorter.substring(0, room);
    }
}

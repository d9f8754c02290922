package dev.nabla.cli;

import dev.nabla.io.OutputFile;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code --metrics}: a CSV row per step, appended as the steps come. The file is started once
 * (the header, and on a resumed run the rows of the steps already done), then each row is added
 * to its end; the rows are flushed at every epoch's end, before every checkpoint and at least
 * every {@link #FLUSH_NANOS}, so a killed run keeps them and a resumed run finds every step its
 * checkpoint covers.
 *
 * <p>A step's row waits until the next step (or its epoch's end), because the held-out loss of
 * an epoch's last step is known only after it. A file that cannot be written is a warning: the
 * run goes on without it and {@link #failed()} says so.
 */
final class MetricsFile implements AutoCloseable {
    /**
     * The columns: the accuracies (the share of the step's batch classified right, and of the
     * held-out samples after the epoch) are empty for {@code mse}, as the held-out figures are on
     * steps that do not end an epoch.
     */
    static final String HEADER =
            "step,epoch,loss,validation_loss,samples_per_second,learning_rate,accuracy,validation_accuracy";

    /** Columns of the files written before the learning rate and the accuracies were. */
    private static final int OLD_COLUMNS = 5;

    private static final int COLUMNS = 8;
    private static final long FLUSH_NANOS = 1_000_000_000L;

    private final OutputFile file;
    private final Consumer<String> warn;
    private Writer out;
    private TrainingReport.Row pending;
    private long lastFlush = System.nanoTime();
    private boolean failed;

    MetricsFile(OutputFile file, Consumer<String> warn) {
        this.file = file;
        this.warn = warn;
    }

    OutputFile file() {
        return file;
    }

    /** Writes the header and {@code kept} (the steps a resumed run has done), replacing the file. */
    void start(List<TrainingReport.Row> kept) {
        try {
            file.write(stream -> {
                Writer w = new OutputStreamWriter(stream, StandardCharsets.US_ASCII);
                w.write(HEADER + "\n");
                for (TrainingReport.Row r : kept) {
                    w.write(line(r));
                }
                w.flush();
            });
            out = new BufferedWriter(new OutputStreamWriter(file.appendStream(), StandardCharsets.US_ASCII), 1 << 16);
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    void add(TrainingReport.Row row) {
        writePending();
        pending = row;
        if (System.nanoTime() - lastFlush >= FLUSH_NANOS) {
            flush();
        }
    }

    /** The held-out loss and accuracy after the epoch whose last step is the pending row. */
    void validation(double loss, double accuracy) {
        if (pending != null) {
            pending = pending.withValidation(loss, accuracy);
        }
    }

    /** Writes every row so far to the file. */
    void flush() {
        writePending();
        if (out != null) {
            try {
                out.flush();
            } catch (IOException e) {
                fail(e);
            }
            lastFlush = System.nanoTime();
        }
    }

    boolean failed() {
        return failed;
    }

    @Override
    public void close() {
        flush();
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                fail(e);
            }
        }
    }

    private void writePending() {
        if (pending != null && out != null) {
            try {
                out.write(line(pending));
            } catch (IOException e) {
                fail(e);
            }
        }
        pending = null;
    }

    private void fail(Exception e) {
        failed = true;
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the file is already reported as failed
            }
        }
        out = null;
        warn.accept(file.flag() + " " + file.path() + ": cannot be written (" + TrainingReport.reason(e)
                + "); the run goes on without it");
    }

    /** The row's CSV line: every number as it reads back exactly, but samples/s to one decimal. */
    private static String line(TrainingReport.Row r) {
        StringBuilder b = new StringBuilder(96)
                .append(r.step())
                .append(',')
                .append(r.epoch())
                .append(',')
                .append(r.loss())
                .append(',');
        optional(b, r.validationLoss()).append(',');
        double rate = r.samplesPerSecond();
        if (Double.isFinite(rate) && Math.abs(rate) < 1e15) {
            long tenths = Math.round(rate * 10); // String.format would cost more than the step
            b.append(tenths / 10).append('.').append(Math.abs(tenths % 10));
        } else {
            b.append(String.format(Locale.ROOT, "%.1f", rate));
        }
        b.append(',').append(r.learningRate()).append(',');
        optional(b, r.accuracy()).append(',');
        optional(b, r.validationAccuracy());
        return b.append('\n').toString();
    }

    /** The value, or nothing for NaN (a figure the row does not have). */
    private static StringBuilder optional(StringBuilder b, double v) {
        return Double.isNaN(v) ? b : b.append(v);
    }

    private static double optional(String cell) {
        return cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
    }

    /**
     * The rows of the steps up to {@code stepsDone} in the metrics file an interrupted run wrote,
     * so a resumed run's file and plot cover the whole run; none when it cannot be read.
     */
    static List<TrainingReport.Row> previousRows(Path metrics, long stepsDone) {
        List<TrainingReport.Row> rows = new ArrayList<>();
        if (metrics == null || !Files.isRegularFile(metrics)) {
            return rows;
        }
        try {
            for (String line : Files.readAllLines(metrics, StandardCharsets.US_ASCII)) {
                String[] f = line.split(",", -1);
                if ((f.length != COLUMNS && f.length != OLD_COLUMNS)
                        || line.isEmpty()
                        || !Character.isDigit(line.charAt(0))) {
                    continue;
                }
                long step = Long.parseLong(f[0]);
                boolean full = f.length == COLUMNS;
                if (step <= stepsDone) {
                    rows.add(new TrainingReport.Row(
                            step,
                            Integer.parseInt(f[1]),
                            Double.parseDouble(f[2]),
                            optional(f[3]),
                            Double.parseDouble(f[4]),
                            full ? Double.parseDouble(f[5]) : Double.NaN,
                            full ? optional(f[6]) : Double.NaN,
                            full ? optional(f[7]) : Double.NaN));
                }
            }
        } catch (IOException | RuntimeException e) {
            rows.clear(); // an unreadable old file: the new one starts from here
        }
        return rows;
    }
}

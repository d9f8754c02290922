package dev.nabla.cli;

import dev.nabla.io.AtomicFiles;
import dev.nabla.train.TrainingLoop;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code engine train} shows and records while it trains. On a terminal, a progress bar per
 * epoch (step, loss, samples/s, time left) redrawn in place; elsewhere plain lines, with no
 * control characters, one per epoch and one every {@link #LINE_SECONDS} seconds of a long epoch;
 * with {@code --quiet}, nothing until the result. Every step is kept for {@code --metrics} and
 * {@code --plot}, which are written whole, through a temporary file, whenever {@link #save()} is called.
 */
final class TrainingReport implements TrainingLoop.Listener {
    /** How the progress is shown. */
    enum Mode {
        BAR,
        LINES,
        QUIET
    }

    /** One step's figures; {@code validationLoss} is NaN except on an epoch's last step. */
    record Row(long step, int epoch, double loss, double validationLoss, double samplesPerSecond) {}

    private static final double LINE_SECONDS = 10;
    private static final long BAR_NANOS = 100_000_000L;
    private static final int BAR_WIDTH = 24;

    private final PrintWriter out;
    private final Mode mode;
    /** The terminal's width, for the bar (a line that wraps cannot be redrawn in place). */
    private final int columns;

    private final int epochs;
    private final Path metrics;
    private final Path plot;
    private final List<Row> rows = new ArrayList<>();
    private long lastDraw;
    private double epochSeconds;
    private long epochSamples;
    private int epochSteps;
    private double sinceLine;

    TrainingReport(PrintWriter out, Mode mode, int columns, int epochs, Path metrics, Path plot) {
        this.out = out;
        this.mode = mode;
        this.columns = columns;
        this.epochs = epochs;
        this.metrics = metrics;
        this.plot = plot;
    }

    @Override
    public void stepDone(TrainingLoop.Step s) {
        rows.add(new Row(s.step(), s.epoch(), s.loss(), Double.NaN, s.samples() / s.seconds()));
        epochSeconds += s.seconds();
        epochSamples += s.samples();
        epochSteps++;
        sinceLine += s.seconds();
        if (mode == Mode.BAR) {
            long now = System.nanoTime();
            if (now - lastDraw >= BAR_NANOS || s.stepInEpoch() == s.stepsInEpoch()) {
                lastDraw = now;
                out.print("\r" + bar(s) + "\u001b[K");
                out.flush();
            }
        } else if (mode == Mode.LINES && sinceLine >= LINE_SECONDS && s.stepInEpoch() < s.stepsInEpoch()) {
            sinceLine = 0;
            out.println(status(s));
        }
    }

    @Override
    public void epochDone(TrainingLoop.Epoch e) {
        if (!rows.isEmpty() && !Double.isNaN(e.validationLoss())) {
            Row last = rows.remove(rows.size() - 1);
            rows.add(new Row(last.step(), last.epoch(), last.loss(), e.validationLoss(), last.samplesPerSecond()));
        }
        if (mode != Mode.QUIET) {
            out.println((mode == Mode.BAR ? "\r" : "")
                    + String.format(
                            Locale.ROOT,
                            "epoch %d/%d  loss %s%s  %.2f s  %,.0f samples/s",
                            e.number(),
                            epochs,
                            formatLoss(e.loss()),
                            Double.isNaN(e.validationLoss()) ? "" : "  held-out loss " + formatLoss(e.validationLoss()),
                            e.seconds(),
                            e.samples() / e.seconds())
                    + (mode == Mode.BAR ? "\u001b[K" : ""));
        }
        epochSeconds = 0;
        epochSamples = 0;
        epochSteps = 0;
        sinceLine = 0;
    }

    /**
     * {@code epoch 3/10 [#########-----]  42%  step 420/1000  loss 0.0123  812,345 samples/s  left 0:12},
     * fitted to the terminal: without the bar's graphic where the line would not fit, else cut.
     */
    String bar(TrainingLoop.Step s) {
        int filled = (int) ((long) BAR_WIDTH * s.stepInEpoch() / s.stepsInEpoch());
        String graphic = " [" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "]";
        String line = String.format(
                Locale.ROOT,
                "epoch %d/%d%s %3d%%  %s",
                s.epoch(),
                epochs,
                graphic,
                100L * s.stepInEpoch() / s.stepsInEpoch(),
                figures(s));
        return Terminal.fit(line, graphic, columns);
    }

    /** The same figures as a plain line, for logs. */
    String status(TrainingLoop.Step s) {
        return String.format(Locale.ROOT, "epoch %d/%d  %s", s.epoch(), epochs, figures(s));
    }

    private String figures(TrainingLoop.Step s) {
        double left = epochSeconds / Math.max(1, epochSteps) * (s.stepsInEpoch() - s.stepInEpoch());
        return String.format(
                Locale.ROOT,
                "step %d/%d  loss %s  %,.0f samples/s  left %s",
                s.stepInEpoch(),
                s.stepsInEpoch(),
                formatLoss(s.loss()),
                epochSamples / Math.max(epochSeconds, 1e-9),
                clock(left));
    }

    static String clock(double seconds) {
        long t = Math.round(seconds);
        return t >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }

    /** Writes the metrics CSV and the plot, when asked for, with every step so far. */
    void save() {
        if (metrics != null) {
            AtomicFiles.write(metrics, stream -> {
                StringBuilder sb = new StringBuilder("step,epoch,loss,validation_loss,samples_per_second\n");
                for (Row r : rows) {
                    sb.append(r.step())
                            .append(',')
                            .append(r.epoch())
                            .append(',')
                            .append(r.loss())
                            .append(',')
                            .append(Double.isNaN(r.validationLoss()) ? "" : Double.toString(r.validationLoss()))
                            .append(',')
                            .append(String.format(Locale.ROOT, "%.1f", r.samplesPerSecond()))
                            .append('\n');
                    if (sb.length() > 1 << 16) {
                        stream.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
                        sb.setLength(0);
                    }
                }
                stream.write(sb.toString().getBytes(StandardCharsets.US_ASCII));
            });
        }
        if (plot != null && !rows.isEmpty()) {
            LossPlot.write(plot, "Nabla training loss", rows);
        }
    }

    /**
     * On a resumed run, takes the rows of the steps already done from the metrics file the
     * interrupted run wrote, so the file and the plot cover the whole run.
     */
    void resume(long stepsDone) {
        if (metrics == null || !Files.isRegularFile(metrics)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(metrics, StandardCharsets.US_ASCII)) {
                String[] f = line.split(",", -1);
                if (f.length != 5 || !Character.isDigit(line.charAt(0))) {
                    continue;
                }
                long step = Long.parseLong(f[0]);
                if (step <= stepsDone) {
                    rows.add(new Row(
                            step,
                            Integer.parseInt(f[1]),
                            Double.parseDouble(f[2]),
                            f[3].isEmpty() ? Double.NaN : Double.parseDouble(f[3]),
                            Double.parseDouble(f[4])));
                }
            }
        } catch (IOException | RuntimeException e) {
            rows.clear(); // an unreadable old file: the new one starts from here
        }
    }

    /** 8 decimals where that shows the value, scientific notation where it would not. */
    static String formatLoss(double v) {
        double a = Math.abs(v);
        return a != 0 && (a >= 1e6 || a < 1e-4)
                ? String.format(Locale.ROOT, "%.6e", v)
                : String.format(Locale.ROOT, "%.8f", v);
    }
}

package dev.nabla.cli;

import dev.nabla.io.OutputException;
import dev.nabla.io.OutputFile;
import dev.nabla.train.TrainingLoop;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * What {@code engine train} shows and records while it trains. On a terminal, a progress bar per
 * epoch (step, loss, samples/s, time left) redrawn in place; elsewhere plain lines, with no
 * control characters, one per epoch and one every {@link #LINE_SECONDS} seconds of a long epoch;
 * with {@code --quiet}, nothing until the result. Every step's row goes to {@code --metrics}
 * ({@link MetricsFile}, appended as it comes); {@code --plot} is drawn at the end, and at a
 * checkpoint when the last drawing is older than {@link #PLOT_NANOS}. Neither may cost the run:
 * a file that cannot be written is a warning, and the run goes on without it.
 */
final class TrainingReport implements TrainingLoop.Listener {
    /** How the progress is shown. */
    enum Mode {
        BAR,
        LINES,
        QUIET
    }

    /**
     * One step's figures; {@code validationLoss} and {@code validationAccuracy} are NaN except on an
     * epoch's last step, and the accuracies NaN for {@code mse}.
     */
    record Row(
            long step,
            int epoch,
            double loss,
            double validationLoss,
            double samplesPerSecond,
            double learningRate,
            double accuracy,
            double validationAccuracy) {
        /** The row with the held-out figures of the epoch it ends. */
        Row withValidation(double loss, double accuracy) {
            return new Row(step, epoch, this.loss, loss, samplesPerSecond, learningRate, this.accuracy, accuracy);
        }
    }

    private static final double LINE_SECONDS = 10;
    private static final long BAR_NANOS = 100_000_000L;
    private static final int BAR_WIDTH = 24;
    /** The plot is redrawn at a checkpoint only when the last drawing is older than this. */
    private static final long PLOT_NANOS = 30_000_000_000L;

    private final PrintWriter out;
    private final Mode mode;
    /** The terminal's width, for the bar (a line that wraps cannot be redrawn in place). */
    private final int columns;

    private final int epochs;
    private final PrintWriter err;
    private final MetricsFile metrics;
    private final OutputFile plot;
    /** Every step so far, for the plot (kept only with {@code --plot}). */
    private final LossHistory history = new LossHistory();

    private long lastPlot = System.nanoTime();
    private boolean plotFailed;
    private long lastDraw;
    private double epochSeconds;
    private long epochSamples;
    private int epochSteps;
    private double sinceLine;

    TrainingReport(
            PrintWriter out, PrintWriter err, Mode mode, int columns, int epochs, OutputFile metrics, OutputFile plot) {
        this.out = out;
        this.err = err;
        this.mode = mode;
        this.columns = columns;
        this.epochs = epochs;
        this.metrics = metrics == null ? null : new MetricsFile(metrics, this::warn);
        this.plot = plot;
    }

    @Override
    public void stepDone(TrainingLoop.Step s) {
        if (metrics != null) {
            metrics.add(new Row(
                    s.step(),
                    s.epoch(),
                    s.loss(),
                    Double.NaN,
                    s.samples() / s.seconds(),
                    s.learningRate(),
                    s.correct() < 0 ? Double.NaN : (double) s.correct() / s.samples(),
                    Double.NaN));
        }
        if (plot != null) {
            history.add(
                    s.step(), s.epoch(), s.loss(), s.correct() < 0 ? Double.NaN : (double) s.correct() / s.samples());
        }
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
        if (!Double.isNaN(e.validationLoss())) {
            if (metrics != null) {
                metrics.validation(e.validationLoss(), e.validationAccuracy());
            }
            if (plot != null && history.count() > 0) {
                history.addHeldOut(history.step(history.count() - 1), e.validationLoss(), e.validationAccuracy());
            }
        }
        if (metrics != null) {
            metrics.flush();
        }
        if (mode != Mode.QUIET) {
            out.println((mode == Mode.BAR ? "\r" : "")
                    + String.format(
                            Locale.ROOT,
                            "epoch %d/%d  loss %s%s%s%s  %.2f s  %,.0f samples/s",
                            e.number(),
                            epochs,
                            formatLoss(e.loss()),
                            Double.isNaN(e.accuracy()) ? "" : "  accuracy " + percent(e.accuracy()),
                            Double.isNaN(e.validationLoss()) ? "" : "  held-out loss " + formatLoss(e.validationLoss()),
                            Double.isNaN(e.validationAccuracy())
                                    ? ""
                                    : "  held-out accuracy " + percent(e.validationAccuracy()),
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

    /**
     * Starts {@code --metrics} before the first step: on a resumed run that has done
     * {@code stepsDone} steps, with the rows of those steps from the file the interrupted run wrote.
     */
    void begin(long stepsDone) {
        List<Row> kept = stepsDone > 0 && metrics != null
                ? MetricsFile.previousRows(metrics.file().path(), stepsDone)
                : List.of();
        if (metrics != null) {
            metrics.start(kept);
        }
        if (plot != null) {
            history.addAll(kept);
        }
    }

    /** A checkpoint is about to be written: the metrics so far go to disk, and the plot is redrawn now and then. */
    void checkpoint() {
        if (metrics != null) {
            metrics.flush();
        }
        if (plot != null && System.nanoTime() - lastPlot >= PLOT_NANOS) {
            drawPlot();
        }
    }

    /** The run is over: the last metrics rows are written and the plot drawn. */
    void finish() {
        if (metrics != null) {
            metrics.close();
        }
        if (plot != null) {
            drawPlot();
        }
    }

    /** Whether {@code --metrics} or {@code --plot} could not be written (each said so once, as a warning). */
    boolean sideOutputFailed() {
        return (metrics != null && metrics.failed()) || plotFailed;
    }

    /** Prints {@code engine: warning: ...} on stderr, on a line of its own. */
    void warn(String message) {
        if (mode == Mode.BAR) {
            out.print("\r\u001b[K");
            out.flush();
        }
        err.println("engine: warning: " + message);
        err.flush();
    }

    private void drawPlot() {
        lastPlot = System.nanoTime();
        if (plotFailed || history.count() == 0) {
            return;
        }
        try {
            LossPlot.write(
                    plot, history.hasAccuracy() ? "Nabla training loss and accuracy" : "Nabla training loss", history);
        } catch (RuntimeException e) {
            plotFailed = true;
            warn(plot.flag() + " " + plot.path() + ": cannot be written (" + reason(e)
                    + "); the run goes on without it");
        }
    }

    /** Why an output could not be written, in a few words. */
    static String reason(Exception e) {
        if (e instanceof OutputException o) {
            return o.reason();
        }
        if (e instanceof IOException io) {
            return OutputException.reason(io);
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** 8 decimals where that shows the value, scientific notation where it would not. */
    /** {@code 97.22%}: a share as a percentage with two decimals. */
    static String percent(double share) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * share);
    }

    static String formatLoss(double v) {
        double a = Math.abs(v);
        return a != 0 && (a >= 1e6 || a < 1e-4)
                ? String.format(Locale.ROOT, "%.6e", v)
                : String.format(Locale.ROOT, "%.8f", v);
    }
}

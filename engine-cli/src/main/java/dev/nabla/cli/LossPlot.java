package dev.nabla.cli;

import dev.nabla.io.OutputFile;
import java.awt.BasicStroke;
import java.awt.Color;
import java.text.DecimalFormat;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The training loss of every step and the held-out loss of every epoch against steps, as a PNG
 * (drawn with JFreeChart, headless). The loss axis is logarithmic when every loss is positive.
 * For a classification loss, the accuracies are drawn too, against an axis of their own on the
 * right (0 to 100%): the training accuracy of every epoch (the mean of its steps' batch
 * accuracies) and the held-out accuracy after every epoch.
 */
final class LossPlot {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;
    /** How many runs of steps a long run is drawn from: two points each, about two per pixel of width. */
    static final int BUCKETS = 1000;

    private LossPlot() {}

    /**
     * Writes the chart (through a temporary file and a rename). A run of more steps than the chart
     * has room for is drawn from the lowest and the highest loss of each of {@link #BUCKETS}
     * consecutive runs of steps, which keeps every spike and the band the losses move in, and
     * costs the same for ten million steps as for ten thousand.
     */
    static void write(OutputFile file, String title, LossHistory history) {
        System.setProperty("java.awt.headless", "true");
        XYSeries train = new XYSeries("training loss (per step)", false, true);
        XYSeries held = new XYSeries("held-out loss (per epoch)");
        boolean positive = true;
        int n = history.count();
        int per = Math.max(1, (n + BUCKETS - 1) / BUCKETS);
        for (int first = 0; first < n; first += per) {
            int end = Math.min(n, first + per);
            int lo = first;
            int hi = first;
            for (int i = first; i < end; i++) {
                positive &= history.loss(i) > 0;
                lo = history.loss(i) < history.loss(lo) ? i : lo;
                hi = history.loss(i) > history.loss(hi) ? i : hi;
            }
            int a = Math.min(lo, hi);
            int b = Math.max(lo, hi);
            train.add(history.step(a), history.loss(a), false);
            if (b != a) {
                train.add(history.step(b), history.loss(b), false);
            }
        }
        for (int i = 0; i < history.heldOutCount(); i++) {
            held.add(history.heldOutStep(i), history.heldOutLoss(i));
            positive &= history.heldOutLoss(i) > 0;
        }
        XYSeriesCollection data = new XYSeriesCollection(train);
        if (held.getItemCount() > 0) {
            data.addSeries(held);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(
                title, "step", "loss", data, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (positive && train.getItemCount() > 0) {
            LogAxis axis = new LogAxis("loss (log scale)");
            axis.setSmallestValue(1e-12);
            axis.setNumberFormatOverride(new DecimalFormat("0.##E0"));
            plot.setRangeAxis(axis);
        }
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, new Color(31, 119, 180));
        renderer.setSeriesStroke(0, new BasicStroke(1.5f));
        renderer.setSeriesPaint(1, new Color(214, 39, 40));
        renderer.setSeriesStroke(1, new BasicStroke(2.5f));
        renderer.setSeriesShapesVisible(1, true);
        plot.setRenderer(renderer);
        if (history.hasAccuracy()) {
            addAccuracy(plot, history);
        }
        file.write(out -> ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT));
    }

    /** The accuracies as a second data set on a right-hand axis, a point per epoch at its last step. */
    private static void addAccuracy(XYPlot plot, LossHistory history) {
        XYSeries train = new XYSeries("training accuracy (per epoch)", false, true);
        XYSeries held = new XYSeries("held-out accuracy (per epoch)");
        int n = history.count();
        for (int first = 0; first < n; ) {
            int end = first;
            double sum = 0;
            while (end < n && history.epoch(end) == history.epoch(first)) {
                sum += history.accuracy(end++);
            }
            train.add(history.step(end - 1), 100 * sum / (end - first), false);
            first = end;
        }
        for (int i = 0; i < history.heldOutCount(); i++) {
            if (!Double.isNaN(history.heldOutAccuracy(i))) {
                held.add(history.heldOutStep(i), 100 * history.heldOutAccuracy(i));
            }
        }
        XYSeriesCollection data = new XYSeriesCollection(train);
        if (held.getItemCount() > 0) {
            data.addSeries(held);
        }
        NumberAxis axis = new NumberAxis("accuracy (%)");
        axis.setRange(0, 100);
        plot.setRangeAxis(1, axis);
        plot.setDataset(1, data);
        plot.mapDatasetToRangeAxis(1, 1);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, new Color(44, 160, 44));
        renderer.setSeriesStroke(0, new BasicStroke(2.5f));
        renderer.setSeriesShapesVisible(0, true);
        renderer.setSeriesPaint(1, new Color(148, 103, 189));
        renderer.setSeriesStroke(1, new BasicStroke(2.5f));
        renderer.setSeriesShapesVisible(1, true);
        plot.setRenderer(1, renderer);
    }
}

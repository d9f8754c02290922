package dev.nabla.cli.bench;

import dev.nabla.backend.Precision;
import dev.nabla.benchmark.Workload;
import dev.nabla.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code engine bench --sweep}: the training step of square sigmoid networks ({@code W-W-W}) over
 * a grid of batch sizes and widths on each backend, and where the GPU starts beating the CPU.
 * Small networks and batches are dominated by fixed per-operation costs (a kernel launch, a copy,
 * a hand-off to the GPU's thread), which the CPU does not pay; the sweep shows how large the work
 * must be before the GPU's arithmetic wins.
 */
final class Sweep {
    static final int[] WIDTHS = {16, 64, 256, 1024};
    static final int[] BATCHES = {16, 256, 4096, 65536};

    private final PrintWriter out;
    private final List<String> backends;
    private final double seconds;

    Sweep(PrintWriter out, List<String> backends, double seconds) {
        this.out = out;
        this.backends = backends;
        this.seconds = seconds;
    }

    /** samples/s per backend, width and batch. */
    void run(Path plot) {
        Map<String, double[][]> rate = new LinkedHashMap<>();
        for (String b : backends) {
            double[][] r = new double[WIDTHS.length][BATCHES.length];
            for (int i = 0; i < WIDTHS.length; i++) {
                for (int j = 0; j < BATCHES.length; j++) {
                    r[i][j] = measure(b, WIDTHS[i], BATCHES[j]);
                    out.printf(
                            Locale.ROOT,
                            "%-4s width %5d batch %6d: %,14.0f samples/s%n",
                            b,
                            WIDTHS[i],
                            BATCHES[j],
                            r[i][j]);
                    out.flush();
                }
            }
            rate.put(b, r);
        }
        out.println();
        out.printf(
                Locale.ROOT, "%6s %7s %16s %16s %8s%n", "width", "batch", "cpu samples/s", "cuda samples/s", "GPU/CPU");
        double[][] cpu = rate.get("cpu");
        double[][] gpu = rate.get("cuda");
        for (int i = 0; i < WIDTHS.length; i++) {
            for (int j = 0; j < BATCHES.length; j++) {
                out.printf(
                        Locale.ROOT,
                        "%6d %7d %,16.0f %16s %8s%n",
                        WIDTHS[i],
                        BATCHES[j],
                        cpu == null ? 0 : cpu[i][j],
                        gpu == null ? "-" : String.format(Locale.ROOT, "%,.0f", gpu[i][j]),
                        gpu == null || cpu == null ? "-" : String.format(Locale.ROOT, "%.2f", gpu[i][j] / cpu[i][j]));
            }
        }
        if (cpu != null && gpu != null) {
            for (int i = 0; i < WIDTHS.length; i++) {
                int j = 0;
                while (j < BATCHES.length && gpu[i][j] <= cpu[i][j]) {
                    j++;
                }
                out.println("width " + WIDTHS[i] + ": "
                        + (j == BATCHES.length
                                ? "the CPU is faster at every batch tried"
                                : "the GPU is faster from batch " + BATCHES[j]));
            }
        } else {
            out.println("no GPU here: the sweep shows the CPU alone; run it on a GPU host to see the crossover");
        }
        chart(plot, rate);
        out.println("wrote " + plot);
    }

    private double measure(String backend, int width, int batch) {
        Workload w = new Workload("sweep", new int[] {width, width, width}, batch, List.of(Precision.FP32));
        try (OursRun run = new OursRun(w, backend, Precision.FP32, BenchCommand.LR, BenchCommand.SEED)) {
            // Warm-up, half the measuring time: the first shapes also pay for the JIT compiling the step.
            double warm = 0;
            for (int n = 2; warm < seconds / 2 && n <= 1 << 20; n *= 2) {
                warm += run.time(n);
            }
            int steps = 1;
            double t = run.time(steps);
            while (t < seconds && steps < 1 << 20) {
                steps = (int) Math.min(1 << 20, Math.max(2L * steps, (long) (steps * seconds / Math.max(t, 1e-6))));
                t = run.time(steps);
            }
            return steps * (double) batch / t;
        }
    }

    private static void chart(Path file, Map<String, double[][]> rate) {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[][]> e : rate.entrySet()) {
            for (int i = 0; i < WIDTHS.length; i++) {
                XYSeries s = new XYSeries(e.getKey() + ", width " + WIDTHS[i]);
                for (int j = 0; j < BATCHES.length; j++) {
                    s.add(BATCHES[j], e.getValue()[i][j]);
                }
                data.addSeries(s);
            }
        }
        JFreeChart chart = ChartFactory.createXYLineChart(
                "Training step throughput, W-W-W sigmoid, fp32",
                "batch",
                "samples/s",
                data,
                PlotOrientation.VERTICAL,
                true,
                false,
                false);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setDomainAxis(decades("batch (log scale)"));
        plot.setRangeAxis(decades("samples/s (log scale)"));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        for (int k = 0; k < data.getSeriesCount(); k++) {
            boolean gpu = data.getSeriesKey(k).toString().startsWith("cuda");
            r.setSeriesStroke(
                    k,
                    gpu
                            ? new BasicStroke(2.5f)
                            : new BasicStroke(
                                    1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        }
        plot.setRenderer(r);
        AtomicFiles.write(file, o -> ChartUtils.writeChartAsPNG(o, chart, 1000, 650));
    }

    /** A logarithmic axis with a tick at each power of ten, labelled in plain digits. */
    private static LogAxis decades(String label) {
        LogAxis axis = new LogAxis(label);
        axis.setTickUnit(new NumberTickUnit(1.0));
        axis.setMinorTickMarksVisible(true);
        axis.setNumberFormatOverride(new DecimalFormat("#,##0"));
        return axis;
    }
}

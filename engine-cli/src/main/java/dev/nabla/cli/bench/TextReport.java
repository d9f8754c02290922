package dev.nabla.cli.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The tables {@code engine bench} prints: Nabla's results, the step against its products, the peers. */
final class TextReport {
    private final PrintWriter out;

    TextReport(PrintWriter out) {
        this.out = out;
    }

    /** Every table that has something to show. */
    void print(List<Result> results, List<PeerResult> peers, List<SquareResult> squares) {
        results(results, squares);
        if (results.stream().anyMatch(r -> !Double.isNaN(r.productsSamplesPerSecond()))) {
            products(results, peers);
        }
        if (!peers.isEmpty()) {
            peers(peers);
        }
        if (!squares.isEmpty()) {
            squares(squares);
        }
    }

    private void results(List<Result> results, List<SquareResult> squares) {
        out.println();
        out.printf(
                Locale.ROOT,
                "%-6s %-20s %9s  %-4s %-4s  %14s  %8s  %7s  %7s  %7s%n",
                "work",
                "network",
                "batch",
                "on",
                "prec",
                "samples/s",
                "GFLOP/s",
                "spread",
                "GPU/CPU",
                "of GEMM");
        for (Result r : results) {
            Result cpu = results.stream()
                    .filter(c -> c.workload() == r.workload()
                            && c.precision() == r.precision()
                            && c.backend().equals("cpu"))
                    .findFirst()
                    .orElse(null);
            String ratio = r.backend().equals("cuda") && cpu != null
                    ? String.format(
                            Locale.ROOT,
                            "%.2f",
                            r.samples().median() / cpu.samples().median())
                    : "";
            double best = SquareResult.best(squares, r.backend(), r.precision());
            String ofGemm = Double.isNaN(best) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * r.gflops() / best);
            out.printf(
                    Locale.ROOT,
                    "%-6s %-20s %,9d  %-4s %-4s  %,14.0f  %8.2f  %7s  %7s  %7s%n",
                    r.workload().name(),
                    r.workload().shape(),
                    r.workload().batch(),
                    r.backend(),
                    r.precision().id(),
                    r.samples().median(),
                    r.gflops(),
                    spread(r.samples()),
                    ratio,
                    ofGemm);
        }
    }

    private void products(List<Result> results, List<PeerResult> peers) {
        out.println();
        out.println("the step against its matrix products alone (same shapes, same backend, timed the same way):");
        out.printf(
                Locale.ROOT, "%-6s %-4s %-4s  %16s  %13s%n", "work", "on", "prec", "products GFLOP/s", "step/products");
        for (Result r : results) {
            if (!Double.isNaN(r.productsSamplesPerSecond())) {
                out.printf(
                        Locale.ROOT,
                        "%-6s %-4s %-4s  %16.2f  %13.2f%n",
                        r.workload().name(),
                        r.backend(),
                        r.precision().id(),
                        r.productsGflops(),
                        r.stepOverProducts());
            }
        }
        for (PeerResult p : peers) {
            if (!Double.isNaN(p.productsSamplesPerSecond())) {
                out.printf(
                        Locale.ROOT,
                        "%-6s %-4s %-4s  %16.2f  (%s's products; Nabla's / theirs %.2f)%n",
                        p.ours().workload().name(),
                        p.engine().endsWith("cuda") ? "cuda" : "cpu",
                        p.ours().precision().id(),
                        p.productsGflops(),
                        p.engine(),
                        p.ours().productsSamplesPerSecond() / p.productsSamplesPerSecond());
            }
        }
    }

    private void peers(List<PeerResult> peers) {
        out.println();
        out.println("peers, on the same shapes and data, run alternately with Nabla:");
        out.printf(
                Locale.ROOT,
                "%-6s %-4s %-20s %14s  %7s  %14s%n",
                "work",
                "prec",
                "peer",
                "samples/s",
                "spread",
                "Nabla/peer");
        for (PeerResult p : peers) {
            if (p.samples() == null) {
                out.printf(
                        Locale.ROOT,
                        "%-6s %-4s %-20s %s%n",
                        p.ours().workload().name(),
                        p.ours().precision().id(),
                        p.engine(),
                        p.note());
                continue;
            }
            out.printf(
                    Locale.ROOT,
                    "%-6s %-4s %-20s %,14.0f  %7s  %8.2f ±%3.0f%%%n",
                    p.ours().workload().name(),
                    p.ours().precision().id(),
                    p.engine(),
                    p.samples().median(),
                    spread(p.samples()),
                    p.ratio(),
                    100 * p.ratioSpread());
        }
    }

    private void squares(List<SquareResult> squares) {
        out.println();
        out.println("the large square product C = A B, n x n, alternately with the peers' libraries (\"of GEMM\" "
                + "above: a step's GFLOP/s over the best of these):");
        out.printf(Locale.ROOT, "%-4s %-4s %6s  %-18s %9s  %7s%n", "on", "prec", "n", "by", "GFLOP/s", "spread");
        for (SquareResult s : squares) {
            if (s.gflops() == null) {
                out.printf(
                        Locale.ROOT,
                        "%-4s %-4s %6d  %-18s %s%n",
                        s.backend(),
                        s.precision().id(),
                        s.n(),
                        s.by(),
                        s.note());
            } else {
                out.printf(
                        Locale.ROOT,
                        "%-4s %-4s %6d  %-18s %9.2f  %7s  %s%n",
                        s.backend(),
                        s.precision().id(),
                        s.n(),
                        s.by(),
                        s.gflops().median(),
                        spread(s.gflops()),
                        s.note());
            }
        }
    }

    static String spread(Stats s) {
        return Double.isNaN(s.spread()) ? "n/a" : String.format(Locale.ROOT, "±%.1f%%", 100 * s.spread());
    }
}

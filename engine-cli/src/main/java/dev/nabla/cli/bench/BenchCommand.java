package dev.nabla.cli.bench;

import dev.nabla.InputException;
import dev.nabla.backend.Backend;
import dev.nabla.backend.BackendUnavailableException;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.backend.ProbeReport;
import dev.nabla.benchmark.Workload;
import dev.nabla.data.Dataset;
import dev.nabla.data.NpyArray;
import dev.nabla.io.AtomicFiles;
import dev.nabla.model.Network;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code engine bench}: training-step throughput of the standard workloads on every backend, and
 * of the peers (NumPy; PyTorch where installed) on the same shapes and data, measured alternately
 * in the same run so that every ratio compares like with like.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures the training step (forward, loss, backward, update) of the standard workloads on "
                + "every available backend: samples/s, GFLOP/s (6 x weights x samples) and the spread of repeated runs.",
            "Workloads: seed (2-2-2, batch 1,048,576), mnist (784-256-256-10, batch 1,024), "
                    + "wide (1024-4096-4096-1024, batch 4,096); sigmoid, MSE, SGD, no bias."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--workload", paramLabel = "NAME", description = "seed, mnist or wide (repeatable; default: all).")
    List<String> workloads;

    @Option(names = "--backend", paramLabel = "all|cpu|cuda", defaultValue = "all",
            description = "Which backends (default: every one that can run here).")
    String backend;

    @Option(names = "--precision", paramLabel = "fp64|fp32|tf32",
            description = "Only this precision (default: each workload's).")
    String precision;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "5",
            description = "Timed repeats of each measurement; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--min-seconds", paramLabel = "S", defaultValue = "0.5",
            description = "Least time one repeat runs (default: ${DEFAULT-VALUE}).")
    double minSeconds;

    @Option(names = "--max-seconds", paramLabel = "S", defaultValue = "60",
            description = "Time budget of one measurement; slow ones repeat fewer times, at least twice "
                    + "(default: ${DEFAULT-VALUE}).")
    double maxSeconds;

    @Option(names = "--peers", description = "Also run NumPy and PyTorch (where installed) on the same shapes and data, "
            + "alternating with Nabla, after checking their losses agree with Nabla's.")
    boolean peers;

    @Option(names = "--peer-engines", paramLabel = "LIST", split = ",",
            description = "With --peers, only these of them: numpy, torch-eager-cpu, torch-compile-cpu, "
                    + "torch-eager-cuda, torch-compile-cuda (default: every one installed here).")
    List<String> peerEngines;

    @Option(names = "--python", paramLabel = "CMD", defaultValue = "python3",
            description = "The Python with NumPy for --peers (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results, the machine and the backends' "
            + "probe records as JSON.")
    Path json;

    @Option(names = "--sweep", description = "Instead: vary the batch and the width and report where the GPU starts "
            + "beating the CPU, as a table and a chart (--plot).")
    boolean sweep;

    @Option(names = "--plot", paramLabel = "FILE.png", defaultValue = "bench-sweep.png",
            description = "The --sweep chart (default: ${DEFAULT-VALUE}).")
    Path plot;

    /** Every peer that benchmarks/peers/peer.py knows. */
    static final List<String> PEER_ENGINES = List.of("numpy", "torch-eager-cpu", "torch-compile-cpu", "torch-eager-cuda",
            "torch-compile-cuda");

    /** The learning rate of the benchmark steps; small, so the weights stay in a realistic range. */
    static final double LR = 0.01;
    static final long SEED = 1;

    private PrintWriter out;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        if (repeats < 1 || !(minSeconds > 0) || !(maxSeconds > 0)) {
            throw new InputException("--repeats, --min-seconds and --max-seconds must be positive");
        }
        if (json != null) {
            AtomicFiles.requireWritable(json);
        }
        if (peerEngines != null) {
            for (String e : peerEngines) {
                if (!PEER_ENGINES.contains(e)) {
                    throw new InputException("--peer-engines: unknown peer '" + e + "' (known: "
                            + String.join(", ", PEER_ENGINES) + ")");
                }
            }
        }
        List<ProbeReport> probes = Backends.probeAll();
        Machine machine = Machine.describe(probes);
        out.println("machine: " + machine.oneLine());
        List<String> backends = backends(probes);
        if (sweep) {
            AtomicFiles.requireWritable(plot);
            new Sweep(out, backends, minSeconds).run(plot);
            return 0;
        }
        List<Workload> chosen = workloads == null ? Workload.STANDARD
                : workloads.stream().map(Workload::named).toList();
        Precision only = precision == null ? null : Precision.parse(precision);
        List<Result> results = new ArrayList<>();
        List<PeerResult> peerResults = new ArrayList<>();
        try (PeerProcess peer = peers ? PeerProcess.start(python) : null) {
            if (peer != null) {
                if (peerEngines != null) {
                    List<String> missing = peerEngines.stream().filter(e -> !peer.engines.contains(e)).toList();
                    peer.engines.retainAll(peerEngines);
                    if (!missing.isEmpty()) {
                        out.println("peers not available here: " + String.join(", ", missing));
                    }
                }
                out.println("peers:   " + String.join(", ", peer.engines) + " (" + peer.versions + ")");
            }
            for (Workload w : chosen) {
                for (Precision p : w.precisions()) {
                    if (only != null && p != only) {
                        continue;
                    }
                    for (String b : backends) {
                        if (p == Precision.TF32 && !b.equals("cuda")) {
                            continue;
                        }
                        measure(w, b, p, peer, results, peerResults);
                    }
                }
            }
        }
        printResults(results);
        if (results.stream().anyMatch(r -> !Double.isNaN(r.productsSamplesPerSecond()))) {
            printProducts(results, peerResults);
        }
        if (!peerResults.isEmpty()) {
            printPeers(peerResults);
        }
        if (json != null) {
            AtomicFiles.writeString(json, Report.json(machine, probes, results, peerResults));
            out.println("wrote " + json);
        }
        return 0;
    }

    /** The backends to measure: the one asked for, or every one that probes usable. */
    private List<String> backends(List<ProbeReport> probes) {
        if (!backend.equals("all")) {
            ProbeReport r = probes.stream().filter(p -> p.backend().equals(backend)).findFirst()
                    .orElseThrow(() -> new InputException("unknown backend '" + backend + "' (all, cpu, cuda)"));
            if (!r.usable()) {
                throw new BackendUnavailableException("backend '" + backend + "' cannot run here: " + r.reason());
            }
            return List.of(backend);
        }
        List<String> usable = new ArrayList<>();
        for (ProbeReport r : probes) {
            if (r.usable()) {
                usable.add(r.backend());
            } else {
                out.println("skipped: " + r.oneLine());
            }
        }
        usable.sort(Comparator.comparing(b -> b.equals("cpu") ? 0 : 1)); // the CPU first, the baseline of GPU/CPU
        return usable;
    }

    /** One measurement of ours, with the applicable peers run alternately with it. */
    private void measure(Workload w, String b, Precision p, PeerProcess peer, List<Result> results,
            List<PeerResult> peerResults) {
        out.printf(Locale.ROOT, "measuring %s %s %s ...%n", w.name(), b, p.id());
        out.flush();
        try (OursRun run = new OursRun(w, b, p, LR, SEED); StepProducts products = productsOf(run, w)) {
            double step = warmUp(run::time);
            int steps = Math.max(1, (int) Math.ceil(minSeconds / step));
            int reps = Math.max(Math.min(repeats, 2), Math.min(repeats, (int) (maxSeconds / (steps * step))));
            List<PeerTimer> timers = new ArrayList<>();
            if (peer != null) {
                for (String engine : peer.engines) {
                    if (engine.endsWith("cuda") == b.equals("cuda")) {
                        timers.add(peerTimer(peer, engine, w, p, b));
                    }
                }
            }
            if (products != null) {
                warmUp(products::time);
            }
            List<Double> ours = new ArrayList<>();
            List<Double> productsAlone = new ArrayList<>();
            for (int r = 0; r < reps; r++) {
                settle(timers);
                ours.add(steps * w.batch() / run.time(steps));
                if (products != null) { // right after the step, so that both see the machine as it is then
                    productsAlone.add(steps * w.batch() / products.time(steps));
                }
                for (PeerTimer t : timers) {
                    if (t.steps > 0) {
                        settle(timers);
                        t.samplesPerSecond.add(t.steps * w.batch() / peer.time(t.engine, t.steps));
                    }
                }
            }
            double productsRate = products == null ? Double.NaN : Stats.of(productsAlone).median();
            Result res = new Result(w, b, p, Stats.of(ours), run.microBatch(), steps,
                    run.selection.backend().description(), productsRate);
            results.add(res);
            for (PeerTimer t : timers) {
                double theirProducts = t.steps > 0 && t.engine.startsWith("torch-eager")
                        && !Double.isNaN(productsRate) ? peerProducts(peer, t.engine, w, t.steps) : Double.NaN;
                peerResults.add(new PeerResult(res, t.engine, t.steps > 0 ? Stats.of(t.samplesPerSecond) : null, t.note,
                        theirProducts));
            }
        }
    }

    /**
     * The step's matrix products alone, on the same backend ({@link StepProducts}); null where the
     * backend fuses the whole network (its step has no products to compare with).
     */
    private static StepProducts productsOf(OursRun run, Workload w) {
        Backend be = run.selection.backend();
        return be.fusesNetwork(w.widths()) ? null : new StepProducts(be, w);
    }

    /** Samples per second of a PyTorch peer's matrix products alone (its GEMM library on the same shapes). */
    private double peerProducts(PeerProcess peer, String engine, Workload w, int steps) {
        try {
            warmUp(n -> peer.products(engine, n));
            return steps * w.batch() / peer.products(engine, steps);
        } catch (RuntimeException e) {
            return Double.NaN; // reported as not measured
        }
    }

    /**
     * Between alternating runs, a pause: a BLAS library's worker threads keep spinning for a while
     * after a call returns (OpenBLAS's for about a tenth of a second) and would take the cores from
     * the run that follows.
     */
    private static void settle(List<PeerTimer> timers) {
        if (timers.isEmpty()) {
            return;
        }
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final long SETTLE_MILLIS = 300;

    /**
     * Runs steps to warm up: the first (which may take the JIT's compilation, or a GPU's module load,
     * many times a step's time) and then more until a second has passed, at least one; returns the
     * mean seconds of the steps after the first, from which the timed runs are sized. Sizing them
     * from one early step made them a few steps long, still warming up, whenever that step was slow.
     */
    private double warmUp(IntToDoubleFunction time) {
        double first = time.applyAsDouble(1);
        double total = 0;
        int steps = 0;
        while (steps < 1 || (total < 1.0 && first + total < maxSeconds / 3)) {
            total += time.applyAsDouble(1);
            steps++;
        }
        return total / steps;
    }

    /** A peer engine loaded with the workload's data and weights, checked against Nabla, warmed up. */
    private PeerTimer peerTimer(PeerProcess peer, String engine, Workload w, Precision p, String b) {
        PeerTimer t = new PeerTimer(engine);
        Path dir = null;
        try {
            dir = writeInputs(w);
            peer.load(engine, dir, p == Precision.FP64 ? "float64" : p == Precision.TF32 ? "tf32" : "float32", LR);
            double[] theirs = peer.losses(engine, 3);
            double[] mine = oursLosses(w, b, p, 3);
            double tolerance = p == Precision.FP64 ? 1e-9 : p == Precision.FP32 ? 1e-4 : 1e-2; // relative; see README
            for (int i = 0; i < 3; i++) {
                if (!(Math.abs(theirs[i] - mine[i]) <= tolerance * Math.abs(mine[i]))) {
                    t.note = String.format(Locale.ROOT, "not timed: its loss after %d steps is %.10g, Nabla's %.10g",
                            i + 1, theirs[i], mine[i]);
                    return t;
                }
            }
            double step = warmUp(n -> peer.time(engine, n));
            t.steps = Math.max(1, (int) Math.ceil(minSeconds / step));
            t.note = "losses agree with Nabla's";
            return t;
        } catch (RuntimeException e) {
            t.note = "not timed: " + e.getMessage();
            return t;
        } finally {
            deleteTree(dir);
        }
    }

    /** Losses of {@code n} steps of a fresh network on the workload's data: what a peer must reproduce. */
    private static double[] oursLosses(Workload w, String b, Precision p, int n) {
        try (OursRun run = new OursRun(w, b, p, LR, SEED)) {
            double[] l = new double[n];
            for (int i = 0; i < n; i++) {
                l[i] = run.step();
            }
            return l;
        }
    }

    /** x.npy, t.npy and w0.npy .. for the peers: the batch and the initial weights Nabla uses. */
    private static Path writeInputs(Workload w) {
        try {
            Path dir = Files.createTempDirectory("nabla-bench");
            Dataset data = OursRun.data(w, SEED);
            NpyArray.write(dir.resolve("x.npy"), data.inputs(), data.count(), data.inputWidth());
            NpyArray.write(dir.resolve("t.npy"), data.targets(), data.count(), data.targetWidth());
            Network net = w.network(SEED);
            for (int l = 0; l < net.depth(); l++) {
                NpyArray.write(dir.resolve("w" + l + ".npy"), net.layer(l).weights(), net.layer(l).outputs(),
                        net.layer(l).inputs());
            }
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the peers' inputs: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }

    private void printResults(List<Result> results) {
        out.println();
        out.printf(Locale.ROOT, "%-6s %-20s %9s  %-4s %-4s  %14s  %8s  %7s  %7s%n", "work", "network", "batch", "on",
                "prec", "samples/s", "GFLOP/s", "spread", "GPU/CPU");
        for (Result r : results) {
            Result cpu = results.stream().filter(c -> c.workload() == r.workload() && c.precision() == r.precision()
                    && c.backend().equals("cpu")).findFirst().orElse(null);
            String ratio = r.backend().equals("cuda") && cpu != null
                    ? String.format(Locale.ROOT, "%.2f", r.samples().median() / cpu.samples().median()) : "";
            out.printf(Locale.ROOT, "%-6s %-20s %,9d  %-4s %-4s  %,14.0f  %8.2f  %7s  %7s%n", r.workload().name(),
                    r.workload().shape(), r.workload().batch(), r.backend(), r.precision().id(), r.samples().median(),
                    r.gflops(), spread(r.samples()), ratio);
        }
    }

    private void printProducts(List<Result> results, List<PeerResult> peers) {
        out.println();
        out.println("the step against its matrix products alone (same shapes, same backend, timed the same way):");
        out.printf(Locale.ROOT, "%-6s %-4s %-4s  %16s  %13s%n", "work", "on", "prec", "products GFLOP/s",
                "step/products");
        for (Result r : results) {
            if (!Double.isNaN(r.productsSamplesPerSecond())) {
                out.printf(Locale.ROOT, "%-6s %-4s %-4s  %16.2f  %13.2f%n", r.workload().name(), r.backend(),
                        r.precision().id(), r.productsGflops(), r.stepOverProducts());
            }
        }
        for (PeerResult p : peers) {
            if (!Double.isNaN(p.productsSamplesPerSecond())) {
                out.printf(Locale.ROOT, "%-6s %-4s %-4s  %16.2f  (%s's products; Nabla's / theirs %.2f)%n",
                        p.ours().workload().name(), p.engine().endsWith("cuda") ? "cuda" : "cpu",
                        p.ours().precision().id(), p.productsGflops(), p.engine(),
                        p.ours().productsSamplesPerSecond() / p.productsSamplesPerSecond());
            }
        }
    }

    private void printPeers(List<PeerResult> peers) {
        out.println();
        out.println("peers, on the same shapes and data, run alternately with Nabla:");
        out.printf(Locale.ROOT, "%-6s %-4s %-20s %14s  %7s  %14s%n", "work", "prec", "peer", "samples/s", "spread",
                "Nabla/peer");
        for (PeerResult p : peers) {
            if (p.samples() == null) {
                out.printf(Locale.ROOT, "%-6s %-4s %-20s %s%n", p.ours().workload().name(), p.ours().precision().id(),
                        p.engine(), p.note());
                continue;
            }
            out.printf(Locale.ROOT, "%-6s %-4s %-20s %,14.0f  %7s  %8.2f ±%3.0f%%%n", p.ours().workload().name(),
                    p.ours().precision().id(), p.engine(), p.samples().median(), spread(p.samples()), p.ratio(),
                    100 * p.ratioSpread());
        }
    }

    static String spread(Stats s) {
        return Double.isNaN(s.spread()) ? "n/a" : String.format(Locale.ROOT, "±%.1f%%", 100 * s.spread());
    }

    /** A peer engine's timing state during one measurement. */
    static final class PeerTimer {
        final String engine;
        int steps;
        String note = "";
        final List<Double> samplesPerSecond = new ArrayList<>();

        PeerTimer(String engine) {
            this.engine = engine;
        }
    }

    /** Nabla's measurement of one workload, backend and precision. */
    record Result(Workload workload, String backend, Precision precision, Stats samples, int microBatch,
            int stepsPerRepeat, String device, double productsSamplesPerSecond) {
        double gflops() {
            return samples.median() * workload.flopsPerSample() / 1e9;
        }

        /** The step's time over its matrix products' time alone; NaN where not measured. */
        double stepOverProducts() {
            return productsSamplesPerSecond / samples.median();
        }

        /** GFLOP/s of the matrix products alone. */
        double productsGflops() {
            return productsSamplesPerSecond * workload.flopsPerSample() / 1e9;
        }
    }

    /** A peer's measurement beside Nabla's; {@code samples} is null when it was not timed (the note says why). */
    record PeerResult(Result ours, String engine, Stats samples, String note, double productsSamplesPerSecond) {
        /** GFLOP/s of the peer's matrix products alone; NaN where not measured. */
        double productsGflops() {
            return productsSamplesPerSecond * ours.workload().flopsPerSample() / 1e9;
        }

        double ratio() {
            return ours.samples().median() / samples.median();
        }

        /** The ratio's spread: the two relative spreads added. */
        double ratioSpread() {
            return (Double.isNaN(ours.samples().spread()) ? 0 : ours.samples().spread())
                    + (Double.isNaN(samples.spread()) ? 0 : samples.spread());
        }
    }
}

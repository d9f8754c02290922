package dev.nabla.cli.bench;

import dev.nabla.InputException;
import dev.nabla.backend.Backend;
import dev.nabla.backend.BackendUnavailableException;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.backend.ProbeReport;
import dev.nabla.benchmark.Workload;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.OutputFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code engine bench}: training-step throughput of the standard workloads on every backend, and
 * of the peers (NumPy, PyTorch where installed; DL4J, DJL and libtorch on the JVM where built) on
 * the same shapes and data, measured alternately in the same run so that every ratio compares like
 * with like. Its parts: the options and the order of measurements here; {@link MeasuringProtocol}
 * (warm-up, repeats, pauses); {@link PeerSet} (the peer processes: {@link PeerProcess}, {@link
 * JvmPeers}, {@link PeerThreads}); {@link PeerCheck} (a peer must agree with Nabla before it is timed); {@link TextReport} and
 * {@link JsonReport} (the tables and {@code --json}); {@link Sweep} ({@code --sweep}).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measures the training step (forward, loss, backward, update) of the standard workloads on "
                    + "every available backend: samples/s, GFLOP/s (6 x weights x samples) and the spread of repeated runs.",
            "Workloads: seed (2-2-2, batch 1,048,576), mnist (784-256-256-10, batch 1,024), "
                    + "wide (1024-4096-4096-1024, batch 4,096); sigmoid, MSE, SGD, no bias."
        })
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--workload", paramLabel = "NAME", description = "seed, mnist or wide (repeatable; default: all).")
    List<String> workloads;

    @Option(
            names = "--backend",
            paramLabel = "all|cpu|cuda",
            defaultValue = "all",
            description = "Which backends (default: every one that can run here).")
    String backend;

    @Option(
            names = "--precision",
            paramLabel = "fp64|fp32|tf32",
            description = "Only this precision (default: each workload's).")
    String precision;

    @Option(
            names = "--repeats",
            paramLabel = "N",
            defaultValue = "5",
            description = "Timed repeats of each measurement; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(
            names = "--min-seconds",
            paramLabel = "S",
            defaultValue = "0.5",
            description = "Least time one repeat runs (default: ${DEFAULT-VALUE}).")
    double minSeconds;

    @Option(
            names = "--max-seconds",
            paramLabel = "S",
            defaultValue = "60",
            description = "Time budget of one measurement; slow ones repeat fewer times, at least twice "
                    + "(default: ${DEFAULT-VALUE}).")
    double maxSeconds;

    @Option(
            names = "--square",
            paramLabel = "N",
            description = "The side of the large square product C = A B that each step is judged against, "
                    + "timed on every backend and precision measured and, alternately, with NumPy and PyTorch "
                    + "where they run (default: " + SquareProduct.CPU_SIDE + " on the CPU, " + SquareProduct.GPU_SIDE
                    + " on a GPU; 0: not measured).")
    Integer square;

    @Option(
            names = "--peers",
            paramLabel = "LIST",
            arity = "0..1",
            fallbackValue = "python",
            split = ",",
            description = "Also run peers on the same shapes and data, alternating with Nabla, after "
                    + "checking their losses agree with Nabla's: python (NumPy, and PyTorch where installed; "
                    + "the default), dl4j, djl, libtorch (the JVM peers, once built: " + JvmPeers.BUILD
                    + "), or all.")
    List<String> peers;

    @Option(
            names = "--peer-engines",
            paramLabel = "LIST",
            split = ",",
            description = "With --peers, only these of them: numpy, torch-eager-cpu, torch-compile-cpu, "
                    + "torch-eager-cuda, torch-compile-cuda, dl4j-fit, dl4j-nd4j, djl-trainer, djl-ndarray, "
                    + "libtorch-autograd, libtorch-manual (default: every one there).")
    List<String> peerEngines;

    @Option(
            names = "--jvm-peers",
            paramLabel = "DIR",
            description = "The built JVM peers' project (default: benchmarks/peers/jvm of the working "
                    + "directory or of the checkout the engine was built in).")
    Path jvmPeers;

    @Option(
            names = "--python",
            paramLabel = "CMD",
            defaultValue = "python3",
            description = "The Python with NumPy for --peers (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write the results, the machine and the backends' " + "probe records as JSON.")
    Path json;

    @Option(
            names = "--sweep",
            description = "Instead: vary the batch and the width and report where the GPU starts "
                    + "beating the CPU, as a table and a chart (--plot).")
    boolean sweep;

    @Option(
            names = "--plot",
            paramLabel = "FILE.png",
            defaultValue = "bench-sweep.png",
            description = "The --sweep chart (default: ${DEFAULT-VALUE}).")
    Path plot;

    /** Every peer engine: benchmarks/peers/peer.py's, then the JVM peers'. */
    static final List<String> PEER_ENGINES = List.of(
            "numpy",
            "torch-eager-cpu",
            "torch-compile-cpu",
            "torch-eager-cuda",
            "torch-compile-cuda",
            "dl4j-fit",
            "dl4j-nd4j",
            "djl-trainer",
            "djl-ndarray",
            "libtorch-autograd",
            "libtorch-manual");

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
        if (square != null && square < 0) {
            throw new InputException("--square must be 0 (not measured) or a positive side, not " + square);
        }
        if (json != null) {
            OutputFile.check("--json", json, false); // fail now, not after the measurements
        }
        if (peerEngines != null) {
            for (String e : peerEngines) {
                if (!PEER_ENGINES.contains(e)) {
                    throw new InputException("--peer-engines: unknown peer '" + e + "' (known: "
                            + String.join(", ", PEER_ENGINES) + ")");
                }
            }
        }
        Set<String> peerNames = peers == null ? Set.of() : PeerSet.parse(peers);
        List<ProbeReport> probes = Backends.probeAll();
        Machine machine = Machine.describe(probes);
        out.println("machine: " + machine.oneLine());
        List<String> backends = backends(probes);
        if (sweep) {
            OutputFile.check("--plot", plot, false);
            new Sweep(out, backends, minSeconds).run(plot);
            return 0;
        }
        List<Workload> chosen = workloads == null
                ? Workload.STANDARD
                : workloads.stream().map(Workload::named).toList();
        Precision only = precision == null ? null : Precision.parse(precision);
        MeasuringProtocol protocol = new MeasuringProtocol(repeats, minSeconds, maxSeconds);
        List<Result> results = new ArrayList<>();
        List<PeerResult> peerResults = new ArrayList<>();
        List<SquareResult> squares = new ArrayList<>();
        try (PeerSet peer = peerNames.isEmpty()
                ? null
                : PeerSet.start(
                        peerNames,
                        peers.stream().anyMatch(n -> n.strip().equals("python")),
                        python,
                        jvmPeers,
                        new PeerThreads(cpuThreads(probes)),
                        peerEngines,
                        out)) {
            for (Workload w : chosen) {
                for (Precision p : w.precisions()) {
                    if (only != null && p != only) {
                        continue;
                    }
                    for (String b : backends) {
                        if (p == Precision.TF32 && !b.equals("cuda")) {
                            continue;
                        }
                        measure(w, b, p, peer, protocol, results, peerResults);
                    }
                }
            }
            measureSquares(results, peer, protocol, squares);
        }
        new TextReport(out).print(results, peerResults, squares);
        if (json != null) {
            AtomicFiles.writeString(json, JsonReport.json(machine, probes, results, peerResults, squares));
            out.println("wrote " + json);
        }
        return 0;
    }

    /** Nabla's CPU threads, as its probe reports them: the peers get as many. */
    private static int cpuThreads(List<ProbeReport> probes) {
        for (ProbeReport r : probes) {
            if (r.backend().equals("cpu")) {
                try {
                    return Integer.parseInt(r.facts().getOrDefault("threads", ""));
                } catch (NumberFormatException ignored) {
                    break;
                }
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** The backends to measure: the one asked for, or every one that probes usable. */
    private List<String> backends(List<ProbeReport> probes) {
        if (!backend.equals("all")) {
            ProbeReport r = probes.stream()
                    .filter(p -> p.backend().equals(backend))
                    .findFirst()
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
    private void measure(
            Workload w,
            String b,
            Precision p,
            PeerSet peers,
            MeasuringProtocol protocol,
            List<Result> results,
            List<PeerResult> peerResults) {
        out.printf(Locale.ROOT, "measuring %s %s %s ...%n", w.name(), b, p.id());
        out.flush();
        try (OursRun run = new OursRun(w, b, p, LR, SEED);
                StepProducts products = productsOf(run, w)) {
            double step = protocol.warmUp(run::time);
            int steps = protocol.stepsPerRepeat(step);
            int reps = protocol.repeatsFor(steps, step);
            List<PeerTimer> timers = new ArrayList<>();
            if (peers != null) {
                try (PeerCheck.Reference nabla = new PeerCheck.Reference()) { // one network, one batch
                    for (PeerProcess peer : peers.processes) {
                        for (String engine : peer.engines) {
                            if (engine.endsWith("cuda") == b.equals("cuda")) {
                                timers.add(PeerCheck.prepare(peer, engine, w, p, b, nabla, protocol));
                            }
                        }
                    }
                }
            }
            if (products != null) {
                protocol.warmUp(products::time);
            }
            List<Double> ours = new ArrayList<>();
            List<Double> productsAlone = new ArrayList<>();
            for (int r = 0; r < reps; r++) {
                PeerTimer.settle(timers);
                ours.add(steps * w.batch() / run.time(steps));
                if (products != null) { // right after the step, so that both see the machine as it is then
                    productsAlone.add(steps * w.batch() / products.time(steps));
                }
                PeerTimer.repeatAll(timers, w.batch());
            }
            double productsRate =
                    products == null ? Double.NaN : Stats.of(productsAlone).median();
            Result res = new Result(
                    w,
                    b,
                    p,
                    Stats.of(ours),
                    run.microBatch(),
                    steps,
                    run.selection.backend().description(),
                    productsRate);
            results.add(res);
            for (PeerTimer t : timers) {
                double theirProducts = t.steps > 0 && t.engine.startsWith("torch-eager") && !Double.isNaN(productsRate)
                        ? peerProducts(t.peer, t.engine, w, t.steps, protocol)
                        : Double.NaN;
                peerResults.add(new PeerResult(res, t.engine, t.stats(), t.note, theirProducts));
            }
        }
    }

    /** The large square product on each backend and precision that was measured, once ({@link SquareProduct}). */
    private void measureSquares(
            List<Result> results, PeerSet peers, MeasuringProtocol protocol, List<SquareResult> squares) {
        Set<String> done = new HashSet<>();
        for (Result r : results) {
            int n = square != null ? square : SquareProduct.defaultSide(r.backend());
            if (n > 0 && done.add(r.backend() + " " + r.precision().id())) {
                out.printf(
                        Locale.ROOT,
                        "measuring the square product (n = %d) %s %s ...%n",
                        n,
                        r.backend(),
                        r.precision().id());
                out.flush();
                squares.addAll(SquareProduct.measure(r.backend(), r.precision(), n, peers, protocol));
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
    private static double peerProducts(
            PeerProcess peer, String engine, Workload w, int steps, MeasuringProtocol protocol) {
        try {
            protocol.warmUp(n -> peer.products(engine, n));
            return steps * w.batch() / peer.products(engine, steps);
        } catch (RuntimeException e) {
            return Double.NaN; // reported as not measured
        }
    }
}

package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.data.DataIdentity;
import dev.nabla.data.FeatureScales;
import dev.nabla.data.HeldOutSplit;
import dev.nabla.data.InputScaling;
import dev.nabla.data.SampleSource;
import dev.nabla.data.Samples;
import dev.nabla.data.SyntheticData;
import dev.nabla.io.OutputFile;
import dev.nabla.io.OutputFile.Named;
import dev.nabla.model.Checkpoint;
import dev.nabla.model.Loss;
import dev.nabla.model.ModelFile;
import dev.nabla.model.Network;
import dev.nabla.model.OptimizerState;
import dev.nabla.train.LearningRateSchedule;
import dev.nabla.train.LossGrowth;
import dev.nabla.train.MemoryCheck;
import dev.nabla.train.MemoryPlan;
import dev.nabla.train.RunState;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingDivergedException;
import dev.nabla.train.TrainingLoop;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code engine train}: mini-batch training (SGD, Adam, AdamW, with a learning-rate schedule) on a model file (or a default network) and data (CSV,
 * {@code .npy}, or the built-in synthetic data), with progress, held-out loss, checkpoints that
 * a run can be resumed from, metrics and a loss plot.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Trains a network with mini-batch gradient descent (sgd, adam or adamw) on its loss (mse,",
            "softmax-cross-entropy or binary-cross-entropy).",
            "Without --data it trains on built-in synthetic data (" + TrainCommand.DEFAULT_SAMPLES + " samples, "
                    + SyntheticData.INPUTS + " inputs, " + SyntheticData.TARGETS + " targets).",
            "Ctrl-C stops after the current step and writes --save (a checkpoint to --resume from)."
        })
final class TrainCommand implements Callable<Integer> {
    static final int DEFAULT_SAMPLES = 500_000;
    /** Hidden units of the network built when no model file is given. */
    static final int DEFAULT_HIDDEN = 32;
    /** The rows the driver's trainer of a run on Spark computes at once (for the held-out loss). */
    static final int DRIVER_ROWS = 256;
    /** Exit code of a run stopped by Ctrl-C, as shells report a process ended by SIGINT. */
    static final int EXIT_INTERRUPTED = 130;

    @Spec
    CommandSpec spec;

    @Mixin
    TrainOptions flags;

    private PrintWriter out;
    /** The fraction of the flags.data held out, recorded in checkpoints; null when none is. */
    private Double heldOut;
    /** Whether the held-out samples are drawn from the seed rather than the last rows. */
    private boolean heldOutDrawn;
    /** The data's identity, recorded in checkpoints; null when no checkpoint is written or resumed. */
    private DataIdentity dataIdentity;
    /** The inputs' standardization the saved model keeps; null when the network takes raw inputs. */
    private InputScaling scaling;
    /** Where all the samples came from. */
    private SampleSource allSource;
    /** The samples held out of them by --validation. */
    private int heldCount;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        flags.check();
        Checkpoint resumed = flags.resume == null ? null : Checkpoint.read(flags.resume);
        RunState before = resumed == null ? null : RunState.fromMetadata(resumed.metadata(), flags.resume.toString());
        long seed = flags.seed(before);
        Precision p = Precision.parse(
                flags.choose("--precision", flags.precision, before == null ? null : before.precision(), "fp64"));
        // Before any work: no output may be an input or another output, and each must be writable.
        OutputFile.requireDistinct(
                List.of(
                        new Named("--model", flags.model),
                        new Named("--data", flags.data),
                        new Named("--targets", flags.targets),
                        new Named("--validation-data", flags.validationData),
                        new Named("--validation-targets", flags.validationTargets),
                        new Named("--resume", flags.resume)),
                List.of(
                        new Named("--save", flags.save),
                        new Named("--metrics", flags.metrics),
                        new Named("--plot", flags.plot)),
                (input, output) -> input.equals("--resume") && output.equals("--save"));
        OutputFile save = output("--save", flags.save);
        OutputFile metrics = output("--metrics", flags.metrics);
        OutputFile plot = output("--plot", flags.plot);
        Network net =
                resumed != null ? resumed.network() : flags.model == null ? null : ModelFile.read(flags.model, seed);
        if (net != null && flags.training.loss != null && Loss.parse(flags.training.loss) != net.loss()) {
            throw new InputException("--loss " + flags.training.loss + " differs from the loss "
                    + net.loss().id()
                    + " of " + (flags.resume != null ? flags.resume : flags.model)
                    + " (--loss is for the default network; a model file names its own)");
        }
        Optimizer rule = flags.training.rule(
                flags, before == null ? null : before.optimizer(), net == null ? null : net.optimizer());
        TrainingLoop.Options options = flags.settings(before, rule);
        if (net != null && flags.outputs != null && flags.outputs != net.outputs()) {
            throw new InputException(
                    "--outputs " + flags.outputs + " differs from the " + Plural.of(net.outputs(), "output")
                            + " of " + (flags.resume != null ? flags.resume : flags.model)
                            + " (leave --outputs out: the model says how many targets there are)");
        }
        Samples all = loadData(net, options.seed());
        dataIdentity = before != null || (flags.save != null && Checkpoint.hasCheckpointName(flags.save))
                ? identity(all, options.seed())
                : null;
        if (net == null) {
            net = defaultNetwork(all, flags.training.defaultLoss(flags.labels), options.seed());
            say("model:   " + net.describe() + " (default for the data)");
        } else {
            say("model:   " + net.describe() + " (" + (flags.resume != null ? flags.resume : flags.model) + ")");
        }
        TrainingLoop.requireFits(all, net.inputs(), net.outputs());
        Samples train = all;
        Samples held = null;
        heldOut = flags.heldOutFraction(before);
        if (heldOut != null) {
            int v = (int) Math.round(all.count() * heldOut);
            if (v < 1 || v >= all.count()) {
                throw new InputException("--validation " + heldOut + " of " + all.count()
                        + " samples leaves no samples to hold out or none to train on");
            }
            heldOutDrawn = flags.heldOutDrawn(before, options.shuffle());
            heldCount = v;
            HeldOutSplit split = heldOutDrawn ? HeldOutSplit.drawn(all, v, options.seed()) : HeldOutSplit.last(all, v);
            train = split.train();
            held = split.held();
        } else if (flags.validationData != null) {
            held = DataFiles.samples(
                    flags.validationData, flags.validationTargets, net, net.outputs(), flags.header, flags.labels);
            TrainingLoop.requireFits(held, net.inputs(), net.outputs());
        }
        boolean fitted = flags.fitStandardize(net);
        if (fitted) {
            net = net.withInputScaling(InputScaling.fit(train));
        }
        if (net.inputScaling() != null) {
            say("inputs:  standardized by "
                    + (fitted
                            ? "the mean and standard deviation of each input over the "
                                    + Plural.of(train.count(), "training sample")
                            : "the means and scales of " + (flags.resume != null ? flags.resume : flags.model)));
            train = net.standardized(train);
            held = held == null ? null : net.standardized(held);
        }
        if (before != null && before.samples() != train.count()) {
            throw new InputException(
                    flags.resume + ": the run trained on " + before.samples() + " samples (" + before.data() + "), but "
                            + train.name() + " has " + train.count() + "; resume with the same data");
        }
        flags.requireSameData(before, dataIdentity);
        say("data:    " + train.name() + ", " + Plural.of(train.count(), "sample") + " of "
                + Plural.of(train.inputWidth(), "input") + " and " + Plural.of(train.targetWidth(), "target"));
        if (held != null) {
            say("held out: " + held.name() + ", " + Plural.of(held.count(), "sample"));
        }
        scaling = net.inputScaling();
        net = net.withOptimizer(rule); // what the memory plan counts the optimizer's states by
        int batchRows = Math.min(options.batch(), train.count());
        Integer micro = flags.microBatch != null
                ? flags.microBatch
                : before != null ? Integer.valueOf(before.microBatch()) : null;
        if (micro != null && Math.min(micro, batchRows) > MemoryPlan.maxCapacity(net)) {
            throw ModelOptions.beyondOneArray("--micro-batch", micro, "micro-batch", net);
        }
        TrainingReport.Mode mode = flags.quiet
                ? TrainingReport.Mode.QUIET
                : System.console() != null ? TrainingReport.Mode.BAR : TrainingReport.Mode.LINES;
        TrainingReport report = new TrainingReport(
                out,
                spec.commandLine().getErr(),
                mode,
                mode == TrainingReport.Mode.BAR ? Terminal.columns() : Terminal.DEFAULT_COLUMNS,
                options.epochs(),
                metrics,
                plot);
        SaveFile saving =
                save == null ? null : new SaveFile(save, Checkpoint.hasCheckpointName(flags.save), report::warn);
        SampleSource source = flags.spark.on() ? trainingSource(net, options.seed()) : null;
        try (ClusterTraining cluster = ClusterTraining.connect(flags.spark, this::say);
                Selection sel = flags.backend.open(p);
                Interrupts interrupts = new Interrupts()) {
            say("backend: " + sel.summary());
            say("device:  " + sel.backend().description());
            int capacity =
                    micro != null ? Math.min(micro, batchRows) : MemoryPlan.capacityFor(sel.backend(), net, batchRows);
            // On Spark the driver's trainer only updates and measures the held-out loss: a few rows at
            // once do. The checkpoint still records one machine's micro-batch, for a resume on one machine.
            int driverCapacity = cluster == null ? capacity : Math.min(capacity, DRIVER_ROWS);
            MemoryCheck.requireTraining(sel.backend(), net, driverCapacity, train.count(), options.shuffle(), !isNpy());
            TrainingLoop.Position start = before == null ? TrainingLoop.Position.START : before.position();
            say(String.format(
                    Locale.ROOT,
                    "train:   %d epochs, batch %d, %s, lr %s%s, %s, seed %d%s%s",
                    options.epochs(),
                    options.batch(),
                    rule.describe(),
                    options.learningRate(),
                    options.schedule().equals(LearningRateSchedule.CONSTANT)
                            ? ""
                            : " (" + options.schedule().describe() + ")",
                    options.shuffle() ? "shuffled" : "in file order",
                    options.seed(),
                    capacity < batchRows && cluster == null
                            ? ", in micro-batches of " + capacity + " (" + (batchRows + capacity - 1) / capacity
                                    + " per batch)"
                            : "",
                    before == null
                            ? ""
                            : ", resumed at epoch " + start.epoch() + " step " + (start.stepInEpoch() + 1) + " ("
                                    + String.format(Locale.ROOT, "%,d", start.stepsDone()) + " steps done)"));
            report.begin(start.stepsDone());
            OptimizerState state = resumed != null
                    ? resumed.optimizerState(rule, flags.resume.toString())
                    : OptimizerState.fresh(rule, net);
            return run(
                    sel,
                    net,
                    state,
                    train,
                    held,
                    options,
                    start,
                    capacity,
                    driverCapacity,
                    report,
                    saving,
                    interrupts,
                    cluster,
                    source);
        }
    }

    private int run(
            Selection sel,
            Network net,
            OptimizerState state,
            Samples train,
            Samples held,
            TrainingLoop.Options options,
            TrainingLoop.Position start,
            int capacity,
            int driverCapacity,
            TrainingReport report,
            SaveFile saving,
            Interrupts interrupts,
            ClusterTraining cluster,
            SampleSource source) {
        Precision p = sel.backend().precision();
        try (Trainer tr = new Trainer(sel.backend(), net, driverCapacity, state)) {
            TrainingLoop.Steps steps = cluster == null
                    ? TrainingLoop.Steps.local(tr, train)
                    : cluster.start(
                            tr,
                            source,
                            options,
                            flags.microBatch == null ? 0 : flags.microBatch,
                            flags.backend.backend);
            TrainingLoop.Listener listener = new TrainingLoop.Listener() {
                /** A checkpoint due at an epoch's last step waits for the epoch's held-out loss. */
                private TrainingLoop.Position dueAtEpochEnd;

                private final LossGrowth growth = new LossGrowth();
                private long lastStep;

                @Override
                public void stepDone(TrainingLoop.Step s) {
                    lastStep = s.step();
                    report.stepDone(s);
                    if (flags.checkpointEvery != null && s.step() % flags.checkpointEvery == 0) {
                        if (s.stepInEpoch() < s.stepsInEpoch()) {
                            checkpoint(s.step(), s.next());
                        } else {
                            dueAtEpochEnd = s.next();
                        }
                    }
                }

                @Override
                public void epochDone(TrainingLoop.Epoch e) {
                    report.epochDone(e);
                    LossGrowth.Grown grown = growth.epoch(e.number(), e.loss());
                    if (grown != null) {
                        String why = lossGrowth(grown, train, net, options);
                        if (flags.stopOnDivergence) {
                            throw new TrainingDivergedException(
                                    "training diverged (--stop-on-divergence): " + why, e.number(), lastStep);
                        }
                        report.warn(why);
                    }
                    if (dueAtEpochEnd != null) {
                        checkpoint(dueAtEpochEnd.stepsDone(), dueAtEpochEnd);
                        dueAtEpochEnd = null;
                    }
                }

                private void checkpoint(long step, TrainingLoop.Position at) {
                    report.checkpoint();
                    saving.checkpoint(step, file -> write(file, tr, p, options, at, capacity, train));
                }
            };
            long t0 = System.nanoTime();
            TrainingLoop.Result r;
            try {
                r = TrainingLoop.run(tr, steps, train.count(), held, options, start, interrupts::requested, listener);
            } catch (RuntimeException e) {
                report.finish(); // a diverged run keeps its metrics and plot up to the step that failed
                throw e;
            }
            SaveFile.Outcome saved = saving == null
                    ? null
                    : saving.finish(file -> write(file, tr, p, options, r.position(), capacity, train));
            report.finish();
            double wall = (System.nanoTime() - t0) / 1e9;
            if (saved != null && saved.rescued()) {
                spec.commandLine().getErr().println("engine: " + saving.failureLine(saved));
            }
            if (!r.finished()) {
                TrainingLoop.Position at = r.position();
                out.println("interrupted after "
                        + (at.stepInEpoch() == 0
                                ? "epoch " + (at.epoch() - 1)
                                : "step " + at.stepInEpoch() + " of epoch " + at.epoch())
                        + String.format(
                                Locale.ROOT, " (%,d step%s in all)", at.stepsDone(), at.stepsDone() == 1 ? "" : "s")
                        + (saved == null
                                ? "; nothing saved (no --save)"
                                : saved.file() == null
                                        ? "; nothing saved"
                                        : "; saved " + saved.file()
                                                + (Checkpoint.hasCheckpointName(saved.file())
                                                        ? ", resume with --resume " + saved.file()
                                                        : "")));
                return EXIT_INTERRUPTED;
            }
            if (r.steps() == 0) {
                out.println(
                        "trained nothing: " + (start.epoch() > options.epochs() ? "the run had finished" : "0 epochs"));
            } else {
                out.println(String.format(
                        Locale.ROOT,
                        "trained %,d sample%s in %,d step%s, %.2f s: %,.0f samples/s (the time in steps; %.2f s in all)",
                        r.samples(),
                        r.samples() == 1 ? "" : "s",
                        r.steps(),
                        r.steps() == 1 ? "" : "s",
                        r.seconds(),
                        r.samplesPerSecond(),
                        wall));
            }
            if (cluster != null && r.steps() > 0) {
                out.println(cluster.summary());
            }
            if (saved != null && saved.file() != null) {
                out.println("saved:   " + saved.file());
            }
            if (saved != null && saved.rescued()) {
                return Main.EXIT_SAVED_ELSEWHERE;
            }
            return report.sideOutputFailed() ? Main.EXIT_SIDE_OUTPUT : 0;
        }
    }

    /** Writes the trained model to {@code file}: a checkpoint recording the run's state at {@code at}, or model JSON. */
    private void write(
            Path file,
            Trainer tr,
            Precision p,
            TrainingLoop.Options options,
            TrainingLoop.Position at,
            int capacity,
            Samples train) {
        // The trainer computes with the layers alone; the model keeps the inputs' standardization.
        Network now = tr.network().withInputScaling(scaling);
        if (Checkpoint.hasCheckpointName(file)) {
            RunState state = new RunState(
                    options,
                    at,
                    capacity,
                    p.id(),
                    train.name(),
                    train.count(),
                    heldOut,
                    heldOutDrawn,
                    dataIdentity,
                    tr.optimizer());
            Checkpoint.write(file, now, tr.optimizerState(), p != Precision.FP64, state.toMetadata());
        } else { // the model file names the optimizer it trained with, to train it further the same way
            ModelFile.write(now.withOptimizer(tr.optimizer()), file);
        }
    }

    /**
     * What a loss that grew by orders of magnitude says: the epochs and losses, then the likely
     * causes: the learning rate, and the input features (of {@code train}, as the network sees
     * them) far from unit scale ({@link FeatureScales}), by their column in the data (from 1, or
     * the CSV header's name), with {@code --standardize} suggested where the inputs are raw.
     */
    private String lossGrowth(LossGrowth.Grown g, Samples train, Network net, TrainingLoop.Options options) {
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "the loss grew by orders of magnitude: epoch %d's loss %s is %s times epoch %d's %s, the %s; ",
                g.epoch(),
                TrainingReport.formatLoss(g.loss()),
                ratio(g.ratio()),
                g.referenceEpoch(),
                TrainingReport.formatLoss(g.reference()),
                g.smallest() ? "smallest before it" : "first"));
        FeatureScales scales = FeatureScales.of(train);
        List<Integer> far = scales.farFromUnitScale();
        sb.append("likely causes: a learning rate too large (--lr ")
                .append(options.learningRate())
                .append(')');
        if (!far.isEmpty()) {
            List<String> names = flags.data == null || DataFiles.isNpy(flags.data)
                    ? null
                    : CsvHeader.names(flags.data, flags.header, net.inputs());
            sb.append(", and ")
                    .append(Plural.of(far.size(), "input feature"))
                    .append(" far from unit scale (largest absolute value above ")
                    .append((long) FeatureScales.LIMIT)
                    .append(net.inputScaling() != null ? " after standardizing" : "")
                    .append("): ");
            int shown = Math.min(far.size(), 8);
            for (int k = 0; k < shown; k++) {
                int i = far.get(k);
                sb.append(k == 0 ? "" : ", ")
                        .append(
                                names != null
                                        ? "\"" + names.get(i) + "\" (column " + (i + 1) + ")"
                                        : "column " + (i + 1))
                        .append(String.format(Locale.ROOT, " up to %.3g", scales.largest(i)));
            }
            if (far.size() > shown) {
                sb.append(", and ").append(far.size() - shown).append(" more");
            }
        }
        sb.append("; try a smaller --lr");
        if (net.inputScaling() == null) {
            sb.append(", or --standardize to scale every input feature to mean 0 and standard deviation 1");
        }
        return sb.toString();
    }

    private static String ratio(double r) {
        return r < 1e6 ? String.format(Locale.ROOT, "%,.0f", r) : String.format(Locale.ROOT, "%.2e", r);
    }

    /** The output {@code flag} names, checked now so that it cannot fail after the training; null when absent. */
    private OutputFile output(String flag, Path path) {
        if (path == null) {
            return null;
        }
        OutputFile f = OutputFile.check(flag, path, false);
        if (f.staleRemoved() > 0) {
            say("removed " + Plural.of(f.staleRemoved(), "temporary file") + " of " + flag + " " + path
                    + " that killed runs left beside it");
        }
        return f;
    }

    /** Whether the data is memory-mapped {@code .npy} (and so takes no heap). */
    private boolean isNpy() {
        return flags.data != null && DataFiles.isNpy(flags.data);
    }

    private void say(String line) {
        if (!flags.quiet) {
            out.println(line);
        }
    }

    private Samples loadData(Network net, long runSeed) {
        if (flags.data == null) {
            MemoryCheck.requireSyntheticData(syntheticSamples());
        }
        allSource = allSamples(net, runSeed);
        return allSource.open();
    }

    private int syntheticSamples() {
        return flags.samples != null ? flags.samples : DEFAULT_SAMPLES;
    }

    /** Where all the samples come from, the held-out ones among them: the data files, or the built-in data. */
    private SampleSource allSamples(Network net, long runSeed) {
        if (flags.data == null) {
            return SampleSource.synthetic(syntheticSamples(), runSeed);
        }
        return DataFiles.source(
                flags.data, flags.targets, net, flags.outputs == null ? 1 : flags.outputs, flags.header, flags.labels);
    }

    /**
     * The samples trained on, as the executors of a run on Spark open them: all of them, less the
     * held-out ones, standardized, exactly as this machine took them.
     */
    private SampleSource trainingSource(Network net, long runSeed) {
        SampleSource s = allSource instanceof DataFiles.Source files ? files.forNetwork(net) : allSource;
        if (heldOut != null) {
            s = s.trainingPart(heldCount, heldOutDrawn, runSeed);
        }
        return net.inputScaling() == null ? s : s.standardized(net.inputScaling());
    }

    /** What tells the data from other data: its files' sizes and checksums, or the built-in data's count and seed. */
    private DataIdentity identity(Samples all, long runSeed) {
        if (flags.data == null) {
            return DataIdentity.synthetic(all.count(), runSeed);
        }
        return DataIdentity.ofFiles(flags.targets == null ? List.of(flags.data) : List.of(flags.data, flags.targets));
    }

    /**
     * One hidden layer of sigmoid units with bias; for a classification loss, the output its loss
     * needs; for mse, a sigmoid output when every target lies in [0, 1] (where a sigmoid can reach
     * it), else an identity output.
     */
    private static Network defaultNetwork(Samples ds, Loss loss, long seed) {
        if (loss.classification()) {
            return Network.builder(ds.inputWidth())
                    .dense(DEFAULT_HIDDEN, Activation.SIGMOID, true)
                    .dense(ds.targetWidth(), loss.logitLoss().output(), true)
                    .loss(loss)
                    .build(seed);
        }
        boolean unit = true;
        int chunk = 4096;
        double[] t = new double[chunk * ds.targetWidth()];
        for (int first = 0; first < ds.count() && unit; first += chunk) {
            int rows = Math.min(chunk, ds.count() - first);
            ds.copyTargets(first, rows, t, 0);
            for (int i = 0; i < rows * ds.targetWidth(); i++) {
                unit &= t[i] >= 0 && t[i] <= 1;
            }
        }
        return Network.builder(ds.inputWidth())
                .dense(DEFAULT_HIDDEN, Activation.SIGMOID, true)
                .dense(ds.targetWidth(), unit ? Activation.SIGMOID : Activation.IDENTITY, true)
                .build(seed);
    }
}

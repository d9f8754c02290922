package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.data.Samples;
import dev.nabla.data.SyntheticData;
import dev.nabla.io.AtomicFiles;
import dev.nabla.model.Checkpoint;
import dev.nabla.model.ModelFile;
import dev.nabla.model.Network;
import dev.nabla.train.RunState;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingLoop;
import dev.nabla.train.MemoryPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code engine train}: mini-batch SGD on a model file (or a default network) and data (CSV,
 * {@code .npy}, or the built-in synthetic data), with progress, held-out loss, checkpoints that
 * a run can be resumed from, metrics and a loss plot.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a network with mini-batch gradient descent on the mean squared error.",
            "Without --data it trains on built-in synthetic data (" + TrainCommand.DEFAULT_SAMPLES
                    + " samples, " + SyntheticData.INPUTS + " inputs, " + SyntheticData.TARGETS + " targets).",
            "Ctrl-C stops after the current step and writes --save (a checkpoint to --resume from)."})
final class TrainCommand implements Callable<Integer> {
    static final int DEFAULT_SAMPLES = 500_000;
    /** Hidden units of the network built when no model file is given. */
    static final int DEFAULT_HIDDEN = 32;
    /** Exit code of a run stopped by Ctrl-C, as shells report a process ended by SIGINT. */
    static final int EXIT_INTERRUPTED = 130;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE",
            description = "Model JSON; layers without weights are initialized from --seed. "
                    + "Default: a network with one hidden layer of " + DEFAULT_HIDDEN + " sigmoid units built for the data.")
    Path model;

    @Option(names = "--data", paramLabel = "FILE",
            description = "CSV, one sample per row: the inputs, then the targets; or a .npy of inputs "
                    + "(float64 or float32, N x I) with --targets. Default: built-in synthetic data.")
    Path data;

    @Option(names = "--targets", paramLabel = "FILE", description = "The targets (N x O, or N) for .npy inputs.")
    Path targets;

    @Option(names = "--outputs", paramLabel = "N",
            description = "How many of the CSV's last columns are targets (default: 1; with --model, the model's outputs).")
    Integer outputs;

    @Option(names = "--samples", paramLabel = "N", description = "Size of the built-in data (default: "
            + DEFAULT_SAMPLES + ").")
    Integer samples;

    @Option(names = "--validation", paramLabel = "FRACTION",
            description = "Hold out this fraction of the samples (the last rows) and print their loss after each epoch.")
    Double validation;

    @Option(names = "--validation-data", paramLabel = "FILE",
            description = "Held-out samples in a file of their own (CSV, or .npy with --validation-targets).")
    Path validationData;

    @Option(names = "--validation-targets", paramLabel = "FILE", description = "The targets for .npy --validation-data.")
    Path validationTargets;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the data (default: 10).")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "N", description = "Samples per step (default: 256).")
    Integer batch;

    @Option(names = "--micro-batch", paramLabel = "N",
            description = "Samples computed at once; a larger batch is split and its gradients added up before the "
                    + "update. Default: as many as fit in the backend's free memory.")
    Integer microBatch;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate (default: 0.5, as in the document).")
    Double lr;

    @Mixin
    BackendOptions backend;

    @Option(names = "--precision", paramLabel = "fp64|fp32|tf32",
            description = "Floating-point format (default: fp64); tf32 needs a GPU with tensor cores and cuBLAS.")
    String precision;

    @Option(names = "--seed", paramLabel = "S",
            description = "Seed for initial weights, the built-in data and shuffling (default: 1).")
    Long seed;

    @Option(names = "--shuffle", description = "Visit the samples in a new order each epoch, drawn from --seed.")
    Boolean shuffle;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Write the trained model here when training finishes: model JSON, or a .safetensors "
                    + "checkpoint that also records the run, to --resume from.")
    Path save;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Also write the --save checkpoint (.safetensors) every N steps.")
    Integer checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE",
            description = "Continue the run a .safetensors checkpoint recorded, with the same data; it ends with the "
                    + "weights the run would have had without the interruption.")
    Path resume;

    @Option(names = "--quiet", description = "Print only the result.")
    boolean quiet;

    @Option(names = "--metrics", paramLabel = "FILE.csv",
            description = "Write step, epoch, loss, held-out loss and samples/s of every step as CSV.")
    Path metrics;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Draw the training and held-out loss against steps.")
    Path plot;

    private PrintWriter out;
    /** The fraction of the data held out from its end, recorded in checkpoints; null when none is. */
    private Double heldOut;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        checkFlags();
        Checkpoint resumed = resume == null ? null : Checkpoint.read(resume);
        RunState before = resumed == null ? null : RunState.fromMetadata(resumed.metadata(), resume.toString());
        TrainingLoop.Options options = options(before);
        Precision p = Precision.parse(choose("--precision", precision, before == null ? null : before.precision(), "fp64"));
        for (Path f : new Path[] {save, metrics, plot}) {
            if (f != null) {
                AtomicFiles.requireWritable(f); // fail now, not after the training
            }
        }
        Network net = resumed != null ? resumed.network() : model == null ? null : ModelFile.read(model, options.seed());
        if (net != null && outputs != null && outputs != net.outputs()) {
            throw new InputException("--outputs " + outputs + " differs from the " + Plural.of(net.outputs(), "output")
                    + " of " + (resume != null ? resume : model)
                    + " (leave --outputs out: the model says how many targets there are)");
        }
        Samples all = loadData(net, options.seed());
        if (net == null) {
            net = defaultNetwork(all, options.seed());
            say("model:   " + net.describe() + " (default for the data)");
        } else {
            say("model:   " + net.describe() + " (" + (resume != null ? resume : model) + ")");
        }
        TrainingLoop.requireFits(all, net.inputs(), net.outputs());
        Samples train = all;
        Samples held = null;
        heldOut = heldOutFraction(before);
        if (heldOut != null) {
            int v = (int) Math.round(all.count() * heldOut);
            if (v < 1 || v >= all.count()) {
                throw new InputException("--validation " + heldOut + " of " + all.count()
                        + " samples leaves no samples to hold out or none to train on");
            }
            train = all.slice(0, all.count() - v);
            held = all.slice(all.count() - v, v);
        } else if (validationData != null) {
            held = DataFiles.samples(validationData, validationTargets, net, net.outputs());
            TrainingLoop.requireFits(held, net.inputs(), net.outputs());
        }
        if (before != null && before.samples() != train.count()) {
            throw new InputException(resume + ": the run trained on " + before.samples() + " samples (" + before.data()
                    + "), but " + train.name() + " has " + train.count() + "; resume with the same data");
        }
        say("data:    " + train.name() + ", " + Plural.of(train.count(), "sample") + " of "
                + Plural.of(train.inputWidth(), "input") + " and " + Plural.of(train.targetWidth(), "target"));
        if (held != null) {
            say("held out: " + held.name() + ", " + Plural.of(held.count(), "sample"));
        }
        int batchRows = Math.min(options.batch(), train.count());
        TrainingReport report = new TrainingReport(out, quiet ? TrainingReport.Mode.QUIET
                : System.console() != null ? TrainingReport.Mode.BAR : TrainingReport.Mode.LINES,
                options.epochs(), metrics, plot);
        try (Selection sel = backend.open(p); Interrupts interrupts = new Interrupts()) {
            say("backend: " + sel.summary());
            say("device:  " + sel.backend().description());
            Integer micro = microBatch != null ? microBatch : before != null ? Integer.valueOf(before.microBatch()) : null;
            int capacity = micro != null ? Math.min(micro, batchRows) : MemoryPlan.capacityFor(sel.backend(), net, batchRows);
            TrainingLoop.Position start = before == null ? TrainingLoop.Position.START : before.position();
            say(String.format(Locale.ROOT, "train:   %d epochs, batch %d, lr %s, %s, seed %d%s%s", options.epochs(),
                    options.batch(), options.learningRate(), options.shuffle() ? "shuffled" : "in file order",
                    options.seed(), capacity < batchRows ? ", in micro-batches of " + capacity + " ("
                            + (batchRows + capacity - 1) / capacity + " per batch)" : "",
                    before == null ? "" : ", resumed at epoch " + start.epoch() + " step " + (start.stepInEpoch() + 1)
                            + " (" + start.stepsDone() + " steps done)"));
            if (before != null) {
                report.resume(start.stepsDone());
            }
            return run(sel, net, train, held, options, start, capacity, report, interrupts);
        }
    }

    private int run(Selection sel, Network net, Samples train, Samples held, TrainingLoop.Options options,
            TrainingLoop.Position start, int capacity, TrainingReport report, Interrupts interrupts) {
        Precision p = sel.backend().precision();
        try (Trainer tr = new Trainer(sel.backend(), net, capacity)) {
            TrainingLoop.Listener listener = new TrainingLoop.Listener() {
                @Override
                public void stepDone(TrainingLoop.Step s) {
                    report.stepDone(s);
                    if (checkpointEvery != null && s.step() % checkpointEvery == 0) {
                        checkpoint(tr, p, options, s.next(), capacity, train);
                        report.save();
                    }
                }

                @Override
                public void epochDone(TrainingLoop.Epoch e) {
                    report.epochDone(e);
                    report.save();
                }
            };
            TrainingLoop.Result r = TrainingLoop.run(tr, train, held, options, start, interrupts::requested, listener);
            if (save != null) {
                checkpoint(tr, p, options, r.position(), capacity, train);
            }
            report.save();
            if (!r.finished()) {
                TrainingLoop.Position at = r.position();
                out.println("interrupted after " + (at.stepInEpoch() == 0 ? "epoch " + (at.epoch() - 1)
                        : "step " + at.stepInEpoch() + " of epoch " + at.epoch())
                        + " (" + Plural.of(at.stepsDone(), "step") + " in all)"
                        + (save == null ? "; nothing saved (no --save)"
                                : "; saved " + save + (isCheckpoint(save) ? ", resume with --resume " + save : "")));
                return EXIT_INTERRUPTED;
            }
            if (r.steps() == 0) {
                out.println("trained nothing: " + (start.epoch() > options.epochs() ? "the run had finished" : "0 epochs"));
            } else {
                out.println(String.format(Locale.ROOT, "trained %,d sample%s in %,d step%s, %.2f s: %,.0f samples/s",
                        r.samples(), r.samples() == 1 ? "" : "s", r.steps(), r.steps() == 1 ? "" : "s",
                        r.seconds(), r.samplesPerSecond()));
            }
            if (save != null) {
                out.println("saved:   " + save);
            }
            return 0;
        }
    }

    /** Writes --save: a checkpoint recording the run's state, or model JSON. */
    private void checkpoint(Trainer tr, Precision p, TrainingLoop.Options options, TrainingLoop.Position at,
            int capacity, Samples train) {
        Network now = tr.network();
        if (isCheckpoint(save)) {
            RunState state = new RunState(options, at, capacity, p.id(), train.name(), train.count(), heldOut);
            Checkpoint.write(save, now, p != Precision.FP64, state.toMetadata());
        } else {
            ModelFile.write(now, save);
        }
    }

    static boolean isCheckpoint(Path f) {
        return f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors");
    }

    private void say(String line) {
        if (!quiet) {
            out.println(line);
        }
    }

    /** The run's settings: the flags, or on --resume the checkpoint's, which flags may not contradict. */
    private TrainingLoop.Options options(RunState before) {
        TrainingLoop.Options o = before == null ? null : before.options();
        int e = epochs != null ? epochs : o != null ? o.epochs() : 10;
        int b = Integer.parseInt(choose("--batch", str(batch), o == null ? null : str(o.batch()), "256"));
        double rate = Double.parseDouble(choose("--lr", str(lr), o == null ? null : str(o.learningRate()), "0.5"));
        long s = Long.parseLong(choose("--seed", str(seed), o == null ? null : str(o.seed()), "1"));
        boolean sh = Boolean.parseBoolean(choose("--shuffle", str(shuffle), o == null ? null : str(o.shuffle()), "false"));
        if (before != null && microBatch != null && microBatch != before.microBatch()) {
            throw contradiction("--micro-batch", str(microBatch), str(before.microBatch()));
        }
        return new TrainingLoop.Options(e, b, rate, sh, s);
    }

    /**
     * {@code --validation}; on resume, the fraction the checkpoint's run held out, unless
     * {@code --validation-data} names held-out samples of its own.
     */
    private Double heldOutFraction(RunState before) {
        if (before == null || before.validation() == null || validationData != null) {
            return validation;
        }
        return Double.valueOf(choose("--validation", str(validation), str(before.validation()), null));
    }

    /** The flag's value, else the checkpoint's, else the default; a flag that differs from the checkpoint is an error. */
    private String choose(String flag, String given, String recorded, String fallback) {
        if (given != null && recorded != null && !given.equals(recorded)) {
            throw contradiction(flag, given, recorded);
        }
        return given != null ? given : recorded != null ? recorded : fallback;
    }

    private InputException contradiction(String flag, String given, String recorded) {
        return new InputException(flag + " " + given + " differs from the " + recorded + " the checkpoint's run used; "
                + "a resumed run keeps its settings (leave " + flag + " out)");
    }

    private static String str(Object v) {
        return v == null ? null : v instanceof Double d ? Double.toString(d) : v.toString();
    }

    private void checkFlags() {
        if (lr != null && (!(lr > 0) || !Double.isFinite(lr))) {
            throw new InputException("--lr must be a positive finite number, not " + lr);
        }
        if (batch != null && batch < 1) {
            throw new InputException("--batch must be at least 1, not " + batch);
        }
        if (epochs != null && epochs < 0) {
            throw new InputException("--epochs must be 0 or more, not " + epochs);
        }
        if (outputs != null && outputs < 1) {
            throw new InputException("--outputs must be at least 1, not " + outputs);
        }
        if (samples != null && data != null) {
            throw new InputException("--samples applies only to the built-in data, not with --data");
        }
        if (samples != null && samples < 1) {
            throw new InputException("--samples must be at least 1, not " + samples);
        }
        if (microBatch != null && microBatch < 1) {
            throw new InputException("--micro-batch must be at least 1, not " + microBatch);
        }
        if (validation != null && !(validation > 0 && validation < 1)) {
            throw new InputException("--validation must be a fraction between 0 and 1, not " + validation);
        }
        if (validation != null && validationData != null) {
            throw new InputException("--validation and --validation-data both name held-out samples; give one");
        }
        if (validationTargets != null && validationData == null) {
            throw new InputException("--validation-targets needs --validation-data");
        }
        if (targets != null && data == null) {
            throw new InputException("--targets needs --data");
        }
        if (checkpointEvery != null && checkpointEvery < 1) {
            throw new InputException("--checkpoint-every must be at least 1, not " + checkpointEvery);
        }
        if (checkpointEvery != null && (save == null || !isCheckpoint(save))) {
            throw new InputException("--checkpoint-every needs --save FILE.safetensors, a checkpoint that records "
                    + "where the run stands");
        }
        if (resume != null && model != null) {
            throw new InputException("--resume takes the network from the checkpoint; leave --model out");
        }
        if (resume != null && !isCheckpoint(resume)) {
            throw new InputException("--resume needs a .safetensors checkpoint written by --save, not " + resume);
        }
    }

    private Samples loadData(Network net, long runSeed) {
        if (data == null) {
            return SyntheticData.generate(samples != null ? samples : DEFAULT_SAMPLES, runSeed);
        }
        return DataFiles.samples(data, targets, net, outputs == null ? 1 : outputs);
    }

    /**
     * One hidden layer of sigmoid units with bias; a sigmoid output when every target lies in
     * [0, 1] (where a sigmoid can reach it), else an identity output.
     */
    private static Network defaultNetwork(Samples ds, long seed) {
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

    /** 8 decimals where that shows the value, scientific notation where it would not. */
    static String formatLoss(double v) {
        double a = Math.abs(v);
        return a != 0 && (a >= 1e6 || a < 1e-4)
                ? String.format(Locale.ROOT, "%.6e", v)
                : String.format(Locale.ROOT, "%.8f", v);
    }
}

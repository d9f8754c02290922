package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.data.Samples;
import dev.nabla.data.SyntheticData;
import dev.nabla.io.AtomicFiles;
import dev.nabla.model.ModelFile;
import dev.nabla.model.Network;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingLoop;
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
 * {@code engine train}: mini-batch SGD on a model file (or a default network) and a CSV file (or
 * the built-in synthetic data), with a line per epoch and the throughput at the end.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains a network with mini-batch gradient descent on the mean squared error.",
            "Without --data it trains on built-in synthetic data (" + TrainCommand.DEFAULT_SAMPLES
                    + " samples, " + SyntheticData.INPUTS + " inputs, " + SyntheticData.TARGETS + " targets)."})
final class TrainCommand implements Callable<Integer> {
    static final int DEFAULT_SAMPLES = 500_000;
    /** Hidden units of the network built when no model file is given. */
    static final int DEFAULT_HIDDEN = 32;

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

    @Option(names = "--validation", paramLabel = "FRACTION",
            description = "Hold out this fraction of the samples (the last rows) and print their loss after each epoch.")
    Double validation;

    @Option(names = "--validation-data", paramLabel = "FILE",
            description = "Held-out samples in a file of their own (CSV, or .npy with --validation-targets).")
    Path validationData;

    @Option(names = "--validation-targets", paramLabel = "FILE", description = "The targets for .npy --validation-data.")
    Path validationTargets;

    @Option(names = "--outputs", paramLabel = "N",
            description = "Without --model: how many of the CSV's last columns are targets (default: 1).")
    Integer outputs;

    @Option(names = "--samples", paramLabel = "N", description = "Size of the built-in data (default: "
            + DEFAULT_SAMPLES + ").")
    Integer samples;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "Passes over the data (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "256", description = "Samples per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--micro-batch", paramLabel = "N",
            description = "Samples computed at once; a larger batch is split and its gradients added up before the "
                    + "update. Default: as many as fit in the backend's free memory.")
    Integer microBatch;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "0.5", description = "Learning rate (default: ${DEFAULT-VALUE}, as in the document).")
    double lr;

    @Mixin
    BackendOptions backend;

    @Option(names = "--precision", defaultValue = "fp64", paramLabel = "fp64|fp32",
            description = "Floating-point format (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Seed for initial weights, the built-in data and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--shuffle", description = "Visit the samples in a new order each epoch, drawn from --seed.")
    boolean shuffle;

    @Option(names = "--save", paramLabel = "FILE", description = "Write the trained model here (JSON) when training finishes.")
    Path save;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        checkFlags();
        Precision p = Precision.parse(precision);
        if (save != null) {
            AtomicFiles.requireWritable(save); // fail now, not after the training
        }
        Network net = model == null ? null : ModelFile.read(model, seed);
        Samples all = loadData(net);
        if (net == null) {
            net = defaultNetwork(all);
            out.println("model:   " + net.describe() + " (default for the data)");
        } else {
            out.println("model:   " + net.describe() + " (" + model + ")");
        }
        TrainingLoop.requireFits(all, net.inputs(), net.outputs());
        Samples train = all;
        Samples held = null;
        if (validation != null) {
            int v = (int) Math.round(all.count() * validation);
            if (v < 1 || v >= all.count()) {
                throw new InputException("--validation " + validation + " of " + all.count()
                        + " samples leaves no samples to hold out or none to train on");
            }
            train = all.slice(0, all.count() - v);
            held = all.slice(all.count() - v, v);
        } else if (validationData != null) {
            held = DataFiles.samples(validationData, validationTargets, net, net.outputs());
            TrainingLoop.requireFits(held, net.inputs(), net.outputs());
        }
        out.println("data:    " + train.name() + ", " + train.count() + " samples of "
                + Plural.of(train.inputWidth(), "input") + " and " + Plural.of(train.targetWidth(), "target"));
        if (held != null) {
            out.println("held out: " + held.name() + ", " + held.count() + " samples");
        }
        int batchRows = Math.min(batch, train.count());
        try (Selection sel = backend.open(p)) {
            out.println("backend: " + sel.summary());
            out.println("device:  " + sel.backend().description());
            int capacity = microBatch != null ? Math.min(microBatch, batchRows)
                    : Trainer.capacityFor(sel.backend(), net, batchRows);
            out.println(String.format(Locale.ROOT, "train:   %d epochs, batch %d, lr %s, %s, seed %d%s", epochs, batch,
                    lr, shuffle ? "shuffled" : "in file order", seed, capacity < batchRows
                            ? ", in micro-batches of " + capacity + " (" + (batchRows + capacity - 1) / capacity
                                    + " per batch)" : ""));
            TrainingLoop.Result r;
            Network trained;
            try (Trainer tr = new Trainer(sel.backend(), net, capacity)) {
                r = TrainingLoop.run(tr, train, held, new TrainingLoop.Options(epochs, batch, lr, shuffle, seed),
                        TrainingLoop.Position.START, () -> false,
                        TrainingLoop.Listener.onEpoch(e -> out.println(String.format(Locale.ROOT,
                                "epoch %d/%d  loss %s%s  %.2f s  %,.0f samples/s", e.number(), epochs,
                                formatLoss(e.loss()), Double.isNaN(e.validationLoss()) ? ""
                                        : "  held-out loss " + formatLoss(e.validationLoss()),
                                e.seconds(), e.samples() / e.seconds()))));
                trained = tr.network();
            }
            if (r.steps() == 0) {
                out.println("trained nothing: 0 epochs");
            } else {
                out.println(String.format(Locale.ROOT, "trained %,d samples in %,d steps, %.2f s: %,.0f samples/s",
                        r.samples(), r.steps(), r.seconds(), r.samplesPerSecond()));
            }
            if (save != null) {
                ModelFile.write(trained, save);
                out.println("saved:   " + save);
            }
        }
        return 0;
    }

    private void checkFlags() {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new InputException("--lr must be a positive finite number, not " + lr);
        }
        if (batch < 1) {
            throw new InputException("--batch must be at least 1, not " + batch);
        }
        if (epochs < 0) {
            throw new InputException("--epochs must be 0 or more, not " + epochs);
        }
        if (outputs != null && outputs < 1) {
            throw new InputException("--outputs must be at least 1, not " + outputs);
        }
        if (outputs != null && model != null) {
            throw new InputException("--outputs applies only without --model; the model says how many targets there are");
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
    }

    private Samples loadData(Network net) {
        if (data == null) {
            return SyntheticData.generate(samples == null ? DEFAULT_SAMPLES : samples, seed);
        }
        return DataFiles.samples(data, targets, net, outputs == null ? 1 : outputs);
    }

    /**
     * One hidden layer of sigmoid units with bias; a sigmoid output when every target lies in
     * [0, 1] (where a sigmoid can reach it), else an identity output.
     */
    private Network defaultNetwork(Samples ds) {
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

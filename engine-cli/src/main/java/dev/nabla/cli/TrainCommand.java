package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.data.CsvData;
import dev.nabla.data.Dataset;
import dev.nabla.data.SyntheticData;
import dev.nabla.io.AtomicFiles;
import dev.nabla.io.InputFiles;
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
            description = "CSV, one sample per row: the inputs, then the targets. Default: built-in synthetic data.")
    Path data;

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
        Dataset ds = loadData(net);
        if (net == null) {
            net = defaultNetwork(ds);
            out.println("model:   " + net.describe() + " (default for the data)");
        } else {
            out.println("model:   " + net.describe() + " (" + model + ")");
        }
        TrainingLoop.requireFits(ds, net.inputs(), net.outputs());
        out.println("data:    " + ds.name() + ", " + ds.samples() + " samples of " + ds.inputWidth() + " inputs and "
                + ds.targetWidth() + " targets");
        int capacity = Math.min(batch, ds.samples());
        try (Selection sel = backend.open(p)) {
            out.println("backend: " + sel.summary());
            out.println("device:  " + sel.backend().description());
            out.println(String.format(Locale.ROOT, "train:   %d epochs, batch %d, lr %s, %s, seed %d", epochs, batch,
                    lr, shuffle ? "shuffled" : "in file order", seed));
            TrainingLoop.Result r;
            Network trained;
            try (Trainer tr = new Trainer(sel.backend(), net, capacity)) {
                r = TrainingLoop.run(tr, ds, new TrainingLoop.Options(epochs, batch, lr, shuffle, seed),
                        TrainingLoop.Listener.onEpoch(e -> out.println(String.format(Locale.ROOT,
                                "epoch %d/%d  loss %s  %.2f s  %,.0f samples/s", e.number(), epochs,
                                formatLoss(e.loss()), e.seconds(), e.samples() / e.seconds()))));
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
    }

    private Dataset loadData(Network net) {
        if (data == null) {
            return SyntheticData.generate(samples == null ? DEFAULT_SAMPLES : samples, seed);
        }
        InputFiles.requireReadableFile(data);
        return net == null
                ? CsvData.readWithTargets(data, outputs == null ? 1 : outputs)
                : CsvData.read(data, net.inputs(), net.outputs());
    }

    /**
     * One hidden layer of sigmoid units with bias; a sigmoid output when every target lies in
     * [0, 1] (where a sigmoid can reach it), else an identity output.
     */
    private Network defaultNetwork(Dataset ds) {
        boolean unit = true;
        for (double v : ds.targets()) {
            unit &= v >= 0 && v <= 1;
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

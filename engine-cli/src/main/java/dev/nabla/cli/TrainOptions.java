package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.backend.Optimizer;
import dev.nabla.data.ArrayLimit;
import dev.nabla.data.DataIdentity;
import dev.nabla.data.SyntheticData;
import dev.nabla.model.Checkpoint;
import dev.nabla.model.Network;
import dev.nabla.train.RunState;
import dev.nabla.train.TrainingLoop;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code engine train}'s flags: each checked alone and against the others, and on
 * {@code --resume} reconciled with the settings the checkpoint's run used, which a flag may repeat
 * but not contradict.
 */
final class TrainOptions {

    @Option(
            names = "--model",
            paramLabel = "FILE",
            description = "Model JSON; layers without weights are initialized from --seed (a checkpoint is "
                    + "continued with --resume instead). "
                    + "Default: a network with one hidden layer of " + TrainCommand.DEFAULT_HIDDEN
                    + " sigmoid units built for the data.")
    Path model;

    @Option(
            names = "--data",
            paramLabel = "FILE",
            description = "CSV, one sample per row: the inputs, then the targets; or a .npy of inputs "
                    + "(float64 or float32, N x I) with --targets. Default: built-in synthetic data.")
    Path data;

    @Option(names = "--targets", paramLabel = "FILE", description = "The targets (N x O, or N) for .npy inputs.")
    Path targets;

    @Option(
            names = "--header",
            description = "The first row of each CSV (--data, --validation-data) is a header, whatever it holds "
                    + "(without it, only a first row in which no cell is a number is).")
    boolean header;

    @Option(
            names = "--labels",
            description =
                    "The targets are class indices 0..C-1, one a sample (the CSV's last column, or a 1-D .npy "
                            + "--targets of whole numbers), trained on as one-hot targets of C: the model's outputs, or without --model the largest label + 1.")
    boolean labels;

    @Option(
            names = "--standardize",
            description = "Standardize each input feature by the mean and population standard deviation of the "
                    + "training samples (not the --validation ones; a constant feature by 1), stored in the saved "
                    + "model, so that predict, evaluate and --resume apply it to raw inputs.")
    Boolean standardize;

    @Option(
            names = "--outputs",
            paramLabel = "N",
            description =
                    "How many of the CSV's last columns are targets (default: 1; with --model, the model's outputs).")
    Integer outputs;

    @Option(
            names = "--samples",
            paramLabel = "N",
            description = "Size of the built-in data (default: " + TrainCommand.DEFAULT_SAMPLES + ").")
    Integer samples;

    @Option(
            names = "--validation",
            paramLabel = "FRACTION",
            description = "Hold out this fraction of the samples and print their loss after each epoch: the last "
                    + "rows, or with --shuffle samples drawn from --seed among all of them.")
    Double validation;

    @Option(
            names = "--validation-data",
            paramLabel = "FILE",
            description = "Held-out samples in a file of their own (CSV, or .npy with --validation-targets).")
    Path validationData;

    @Option(
            names = "--validation-targets",
            paramLabel = "FILE",
            description = "The targets for .npy --validation-data.")
    Path validationTargets;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the data (default: 10).")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "N", description = "Samples per step (default: 256).")
    Integer batch;

    @Option(
            names = "--micro-batch",
            paramLabel = "N",
            description = "Samples computed at once; a larger batch is split and its gradients added up before the "
                    + "update. Default: as many as fit in the backend's free memory.")
    Integer microBatch;

    @Option(
            names = "--lr",
            paramLabel = "X",
            description = "Learning rate, the schedule's base rate (default: 0.5, as in the document; 0.001 for "
                    + "adam and adamw).")
    Double lr;

    @Mixin
    OptimizerOptions training;

    @Mixin
    BackendOptions backend;

    @Mixin
    SparkOptions spark;

    @Option(
            names = "--precision",
            paramLabel = "fp64|fp32|tf32",
            description = "Floating-point format (default: fp64); tf32 needs a GPU with tensor cores and cuBLAS.")
    String precision;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description = "Seed for initial weights, the built-in data and shuffling (default: 1).")
    Long seed;

    @Option(names = "--shuffle", description = "Visit the samples in a new order each epoch, drawn from --seed.")
    Boolean shuffle;

    @Option(
            names = "--save",
            paramLabel = "FILE",
            description = "Write the trained model here when training finishes: model JSON, or a .safetensors "
                    + "checkpoint that also records the run, to --resume from.")
    Path save;

    @Option(
            names = "--checkpoint-every",
            paramLabel = "N",
            description = "Also write the --save checkpoint (.safetensors) every N steps.")
    Integer checkpointEvery;

    @Option(
            names = "--resume",
            paramLabel = "FILE",
            description = "Continue the run a .safetensors checkpoint recorded, with the same data (by size and "
                    + "checksum); it ends with the weights the run would have had without the interruption.")
    Path resume;

    @Option(
            names = "--allow-other-data",
            description = "With --resume: go on training on data other than the data the checkpoint's run trained "
                    + "on (by size and checksum), on purpose.")
    boolean allowOtherData;

    @Option(
            names = "--stop-on-divergence",
            description = "Stop with an error (nothing saved) at the epoch whose loss is more than "
                    + "100 times the smallest epoch loss so far, instead of warning.")
    boolean stopOnDivergence;

    @Option(names = "--quiet", description = "Print only the result.")
    boolean quiet;

    @Option(
            names = "--metrics",
            paramLabel = "FILE.csv",
            description = "Write step, epoch, loss, held-out loss and samples/s of every step as CSV.")
    Path metrics;

    @Option(
            names = "--plot",
            paramLabel = "FILE.png",
            description = "Draw the training and held-out loss against steps.")
    Path plot;

    /** {@code --seed}, or on --resume the checkpoint's run's. */
    long seed(RunState before) {
        return Long.parseLong(choose(
                "--seed",
                str(seed),
                before == null ? null : str(before.options().seed()),
                "1"));
    }

    /**
     * The run's settings: the flags, or on --resume the checkpoint's, which flags may not
     * contradict; {@code optimizer} is the run's, whose kind sets the default learning rate.
     */
    TrainingLoop.Options settings(RunState before, Optimizer optimizer) {
        TrainingLoop.Options o = before == null ? null : before.options();
        int e = epochs != null ? epochs : o != null ? o.epochs() : 10;
        int b = Integer.parseInt(choose("--batch", str(batch), o == null ? null : str(o.batch()), "256"));
        String defaultRate = optimizer.kind() == Optimizer.Kind.SGD ? "0.5" : "0.001";
        double rate =
                Double.parseDouble(choose("--lr", str(lr), o == null ? null : str(o.learningRate()), defaultRate));
        long s = seed(before);
        boolean sh =
                Boolean.parseBoolean(choose("--shuffle", str(shuffle), o == null ? null : str(o.shuffle()), "false"));
        if (before != null && microBatch != null && microBatch != before.microBatch()) {
            throw contradiction("--micro-batch", str(microBatch), str(before.microBatch()));
        }
        return new TrainingLoop.Options(e, b, rate, sh, s, training.schedule(this, o == null ? null : o.schedule()));
    }

    /**
     * {@code --validation}; on resume, the fraction the checkpoint's run held out, unless
     * {@code --validation-data} names held-out samples of its own.
     */
    Double heldOutFraction(RunState before) {
        if (before == null || before.validation() == null || validationData != null) {
            return validation;
        }
        return Double.valueOf(choose("--validation", str(validation), str(before.validation()), null));
    }

    /**
     * Whether the {@code --validation} samples are drawn from the seed among all of the data
     * (with shuffling) rather than the last rows; on resume, as the checkpoint's run held them out.
     */
    boolean heldOutDrawn(RunState before, boolean shuffled) {
        if (before == null || before.validation() == null || validationData != null) {
            return shuffled;
        }
        return before.validationDrawn();
    }

    /**
     * Whether to fit a standardization of the inputs on the training samples now: with
     * {@code --standardize}, unless {@code net} (the checkpoint's or the model file's network)
     * already holds one, which it keeps. On resume the checkpoint decides: it keeps its scaling,
     * and {@code --standardize} on a run that trained on raw inputs is a contradiction; a model
     * file that standardizes already is refused with {@code --standardize}, which would replace the
     * scaling its weights were trained with.
     */
    boolean fitStandardize(Network net) {
        boolean asked = Boolean.TRUE.equals(standardize);
        if (net == null || net.inputScaling() == null) {
            if (asked && resume != null) {
                throw contradiction("--standardize", "true", "raw inputs (no standardization)");
            }
            return asked;
        }
        if (asked && resume == null) {
            throw new InputException(model + " already standardizes its inputs (its \"standardize\" means and "
                    + "scales); leave --standardize out to train with them, or remove them from the file to fit "
                    + "new ones");
        }
        return false;
    }

    /**
     * On resume, the data must be the data the checkpoint's run trained on, unless
     * {@code --allow-other-data}; a checkpoint that does not record its data is not checked.
     */
    void requireSameData(RunState before, DataIdentity given) {
        if (before == null || before.dataIdentity() == null || allowOtherData) {
            return;
        }
        if (!before.dataIdentity().sameData(given)) {
            throw new InputException(
                    resume + ": the run trained on " + before.dataIdentity().describe()
                            + ", but this is other data: " + given.describe() + "; resume with the run's data, or add "
                            + "--allow-other-data to go on with this data");
        }
    }

    /** The flag's value, else the checkpoint's, else the default; a flag that differs from the checkpoint is an error. */
    String choose(String flag, String given, String recorded, String fallback) {
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

    /** Each flag alone and the flags together make sense; the first that does not is the error. */
    void check() {
        training.check();
        spark.check();
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
        if (samples != null && samples > SyntheticData.MAX_SAMPLES) {
            throw new InputException("--samples " + samples + " is more than the built-in data holds: at most "
                    + SyntheticData.MAX_SAMPLES + " samples (it holds their inputs, " + SyntheticData.INPUTS
                    + " a sample, in one array of at most " + ArrayLimit.MAX_LENGTH + " values)");
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
        if (labels && data == null) {
            throw new InputException("--labels needs --data");
        }
        if (labels && outputs != null) {
            throw new InputException("--labels and --outputs both say what the targets are: with --labels they are "
                    + "one column of class indices, one-hot over the model's outputs; leave --outputs out");
        }
        if (header && data == null) {
            throw new InputException("--header needs --data");
        }
        if (checkpointEvery != null && checkpointEvery < 1) {
            throw new InputException("--checkpoint-every must be at least 1, not " + checkpointEvery);
        }
        if (checkpointEvery != null && (save == null || !Checkpoint.hasCheckpointName(save))) {
            throw new InputException("--checkpoint-every needs --save FILE.safetensors, a checkpoint that records "
                    + "where the run stands");
        }
        if (resume != null && model != null) {
            throw new InputException("--resume takes the network from the checkpoint; leave --model out");
        }
        if (allowOtherData && resume == null) {
            throw new InputException("--allow-other-data applies only to --resume");
        }
        if (model != null && Checkpoint.isCheckpoint(model)) {
            throw new InputException(
                    model + " is a checkpoint, not model JSON; continue its run with --resume " + model);
        }
        if (resume != null && !Checkpoint.isCheckpoint(resume)) {
            throw new InputException("--resume needs a .safetensors checkpoint written by --save, not " + resume);
        }
    }
}

package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.data.ArrayLimit;
import dev.nabla.model.Checkpoint;
import dev.nabla.model.ModelFile;
import dev.nabla.model.Network;
import dev.nabla.train.MemoryCheck;
import dev.nabla.train.MemoryPlan;
import dev.nabla.train.Trainer;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of the commands that run a saved model: {@code --model}, {@code --batch}, the backend and precision. */
final class ModelOptions {
    @Option(
            names = "--model",
            paramLabel = "FILE",
            required = true,
            description = "Model JSON, or a .safetensors checkpoint written by train --save.")
    Path model;

    @Option(
            names = "--batch",
            paramLabel = "N",
            defaultValue = "4096",
            description = "Samples computed at once (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    BackendOptions backend;

    @Option(
            names = "--precision",
            defaultValue = "fp64",
            paramLabel = "fp64|fp32|tf32",
            description = "Floating-point format (default: ${DEFAULT-VALUE}).")
    String precision;

    /** The model, after the flags are checked. */
    Network network() {
        if (batch < 1) {
            throw new InputException("--batch must be at least 1, not " + batch);
        }
        Precision.parse(precision);
        return Checkpoint.isCheckpoint(model) ? Checkpoint.read(model).network() : ModelFile.read(model, 0);
    }

    /**
     * How many samples to compute at once for {@code count} samples: {@code --batch}, or fewer
     * when there are fewer samples; more than one batch of {@code net} holds is an error.
     */
    int chunk(Network net, int count) {
        int chunk = Math.min(batch, count);
        if (chunk > MemoryPlan.maxCapacity(net)) {
            throw beyondOneArray("--batch", batch, "batch", net);
        }
        return chunk;
    }

    /** The error for a {@code flag} asking for more samples at once than the arrays of a {@code what} of {@code net} hold. */
    static InputException beyondOneArray(String flag, int value, String what, Network net) {
        return new InputException(flag + " " + value + " is more than one " + what + " of this model holds: at most "
                + MemoryPlan.maxCapacity(net) + " samples (" + MemoryPlan.widestRow(net)
                + " values a sample in its widest layer, in arrays of at most " + ArrayLimit.MAX_LENGTH + ")");
    }

    Selection open() {
        return backend.open(Precision.parse(precision));
    }

    /** A trainer of {@code net} on the selected backend for {@code rows} samples at once, once they fit in memory. */
    static Trainer trainer(Selection sel, Network net, int rows) {
        MemoryCheck.requireTrainer(sel.backend(), net, rows, "--batch");
        return new Trainer(sel.backend(), net, rows);
    }
}

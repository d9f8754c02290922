package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.model.ModelFile;
import dev.nabla.model.Network;
import dev.nabla.train.MemoryCheck;
import dev.nabla.train.Trainer;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of the commands that run a saved model: {@code --model}, {@code --batch}, the backend and precision. */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "FILE", required = true, description = "Model JSON.")
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
        return ModelFile.read(model, 0);
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

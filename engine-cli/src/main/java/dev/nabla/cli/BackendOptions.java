package dev.nabla.cli;

import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import picocli.CommandLine.Option;

/** {@code --backend}, shared by the commands that compute. */
final class BackendOptions {
    @Option(
            names = "--backend",
            defaultValue = Backends.AUTO,
            paramLabel = "auto|cpu|cuda",
            description = "Where to compute: auto tries CUDA, then the CPU, and says why it skipped any "
                    + "(default: ${DEFAULT-VALUE}).")
    String backend;

    /** Opens the chosen backend; a backend that cannot run is an error that says why. */
    Selection open(Precision precision) {
        return Backends.select(backend, precision);
    }
}

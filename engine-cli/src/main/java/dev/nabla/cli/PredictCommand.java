package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.backend.Selection;
import dev.nabla.data.ArrayLimit;
import dev.nabla.data.NpyArray;
import dev.nabla.io.OutputFile;
import dev.nabla.io.OutputFile.Named;
import dev.nabla.model.Network;
import dev.nabla.train.MemoryCheck;
import dev.nabla.train.Trainer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code engine predict}: the model's outputs for every sample of a file, as CSV. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Writes the model's outputs for every sample: as CSV (a header o1,...,oO and one row per "
                    + "sample), or as a float64 .npy of N x O when the --out file's name ends in .npy."
        })
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "FILE",
            required = true,
            description = "CSV of inputs (or inputs and targets; the targets are ignored), or a .npy of inputs.")
    Path data;

    @Option(
            names = "--header",
            description = "The CSV's first row is a header, whatever it holds (without it, only a first row in "
                    + "which no cell is a number is).")
    boolean header;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            required = true,
            description = "Where to write the outputs: CSV, or .npy. '-' or /dev/stdout writes the CSV to standard "
                    + "output (and the other lines to stderr); a pipe or a device is written in place.")
    Path output;

    @Mixin
    ModelOptions run;

    @Override
    public Integer call() {
        OutputFile.requireDistinct(
                List.of(new Named("--model", run.model), new Named("--data", data)),
                List.of(new Named("--out", output)),
                (input, out) -> false);
        boolean toStdout = output.toString().equals("-") || output.toString().equals("/dev/stdout");
        OutputFile out = OutputFile.check("--out", toStdout ? Path.of("/dev/stdout") : output, true);
        // Standard output carries the predictions; what predict says goes to stderr then.
        PrintWriter log =
                toStdout ? spec.commandLine().getErr() : spec.commandLine().getOut();
        Network net = run.network();
        DataFiles.Inputs inputs = DataFiles.inputs(data, net.inputs(), net.outputs(), header);
        int chunk = run.chunk(net, inputs.count());
        if (DataFiles.isNpy(output) && !ArrayLimit.fits(inputs.count(), net.outputs())) {
            throw new InputException(output + ": " + Plural.of(inputs.count(), "prediction") + " of "
                    + Plural.of(net.outputs(), "output") + " are " + (long) inputs.count() * net.outputs()
                    + " values, more than one .npy output holds (" + ArrayLimit.MAX_LENGTH
                    + "); write CSV (an --out not ending in .npy), which is written a chunk at a time");
        }
        try (Selection sel = run.open();
                Trainer tr = ModelOptions.trainer(sel, net, chunk)) {
            log.println("backend: " + sel.summary());
            log.flush();
            if (DataFiles.isNpy(output)) {
                MemoryCheck.requirePredictions(inputs.count(), net.outputs());
                double[] y = new double[inputs.count() * net.outputs()];
                predict(
                        tr,
                        inputs,
                        chunk,
                        (first, rows, chunkOut) ->
                                System.arraycopy(chunkOut, 0, y, first * net.outputs(), rows * net.outputs()));
                out.write(NpyArray.content(y, inputs.count(), net.outputs()));
            } else {
                out.write(stream -> {
                    StringBuilder line = new StringBuilder();
                    for (int k = 1; k <= net.outputs(); k++) {
                        line.append(k == 1 ? "o" : ",o").append(k);
                    }
                    stream.write(line.append('\n').toString().getBytes(StandardCharsets.US_ASCII));
                    predict(tr, inputs, chunk, (first, rows, y) -> {
                        line.setLength(0);
                        for (int r = 0; r < rows; r++) {
                            for (int k = 0; k < net.outputs(); k++) {
                                line.append(k == 0 ? "" : ",").append(y[r * net.outputs() + k]);
                            }
                            line.append('\n');
                        }
                        stream.write(line.toString().getBytes(StandardCharsets.US_ASCII));
                    });
                    stream.flush();
                });
            }
        }
        log.println("wrote " + Plural.of(inputs.count(), "prediction") + " to " + output);
        return 0;
    }

    /** Takes the predictions of one chunk of rows: {@code rows x O}, row-major, from row {@code first}. */
    private interface Chunk<E extends Exception> {
        void take(int first, int rows, double[] y) throws E;
    }

    /** The model's outputs for every input row, a chunk of at most {@code chunk} rows at a time. */
    private static <E extends Exception> void predict(Trainer tr, DataFiles.Inputs inputs, int chunk, Chunk<E> sink)
            throws E {
        double[] x = new double[chunk * tr.network().inputs()];
        for (int first = 0; first < inputs.count(); first += chunk) {
            int rows = Math.min(chunk, inputs.count() - first);
            inputs.copy(first, rows, x);
            sink.take(first, rows, tr.predict(x, 0, rows));
        }
    }
}

package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.backend.Selection;
import dev.nabla.data.ArrayLimit;
import dev.nabla.data.NpyArray;
import dev.nabla.io.OutputFile;
import dev.nabla.io.OutputFile.Named;
import dev.nabla.model.Network;
import dev.nabla.train.Classes;
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
                    + "sample), or as a float64 .npy of N x O when the --out file's name ends in .npy.",
            "For a model of a classification loss, each row is the predicted class, then the probability of "
                    + "each class: CSV columns class,p0,...,p(C-1), or a .npy of N x (1 + C) whose first column "
                    + "is the class (a model of one sigmoid output has two classes: 1 where its output is at "
                    + "least 0.5, with p0 = 1 - output and p1 = output)."
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
        boolean classifier = net.loss().classification();
        int classes = Classes.count(net.outputs());
        // Per sample: the outputs, or for a classifier the class and each class's probability.
        int width = classifier ? 1 + classes : net.outputs();
        if (DataFiles.isNpy(output) && !ArrayLimit.fits(inputs.count(), width)) {
            throw new InputException(output + ": " + Plural.of(inputs.count(), "prediction") + " of "
                    + Plural.of(width, "value") + " are " + (long) inputs.count() * width
                    + " values, more than one .npy output holds (" + ArrayLimit.MAX_LENGTH
                    + "); write CSV (an --out not ending in .npy), which is written a chunk at a time");
        }
        try (Selection sel = run.open();
                Trainer tr = ModelOptions.trainer(sel, net, chunk)) {
            log.println("backend: " + sel.summary());
            log.flush();
            if (DataFiles.isNpy(output)) {
                MemoryCheck.requirePredictions(inputs.count(), width);
                double[] y = new double[inputs.count() * width];
                predict(tr, net, inputs, chunk, (first, rows, chunkOut) -> {
                    double[] values = classifier ? classRows(chunkOut, rows, net.outputs()) : chunkOut;
                    System.arraycopy(values, 0, y, first * width, rows * width);
                });
                out.write(NpyArray.content(y, inputs.count(), width));
            } else {
                out.write(stream -> {
                    StringBuilder line = new StringBuilder(classifier ? "class" : "");
                    for (int k = 1; k <= width - (classifier ? 1 : 0); k++) {
                        line.append(classifier ? ",p" + (k - 1) : (k == 1 ? "o" : ",o") + k);
                    }
                    stream.write(line.append('\n').toString().getBytes(StandardCharsets.US_ASCII));
                    predict(tr, net, inputs, chunk, (first, rows, y) -> {
                        double[] values = classifier ? classRows(y, rows, net.outputs()) : y;
                        line.setLength(0);
                        for (int r = 0; r < rows; r++) {
                            for (int k = 0; k < width; k++) {
                                double v = values[r * width + k];
                                if (classifier && k == 0) {
                                    line.append((int) v);
                                } else {
                                    line.append(k == 0 ? "" : ",").append(v);
                                }
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

    /**
     * {@code rows} rows of a classifier's {@code outputs} as rows of its class and each class's
     * probability ({@link Classes}).
     */
    static double[] classRows(double[] y, int rows, int outputs) {
        int classes = Classes.count(outputs);
        double[] out = new double[rows * (1 + classes)];
        for (int r = 0; r < rows; r++) {
            out[r * (1 + classes)] = Classes.of(y, r * outputs, outputs);
            Classes.probabilities(y, r * outputs, outputs, out, r * (1 + classes) + 1);
        }
        return out;
    }

    /**
     * The model's outputs for every input row, a chunk of at most {@code chunk} rows at a time, the
     * raw inputs standardized first where {@code net} says so.
     */
    private static <E extends Exception> void predict(
            Trainer tr, Network net, DataFiles.Inputs inputs, int chunk, Chunk<E> sink) throws E {
        double[] x = new double[chunk * net.inputs()];
        for (int first = 0; first < inputs.count(); first += chunk) {
            int rows = Math.min(chunk, inputs.count() - first);
            inputs.copy(first, rows, x);
            if (net.inputScaling() != null) {
                net.inputScaling().applyInPlace(x, 0, rows);
            }
            sink.take(first, rows, tr.predict(x, 0, rows));
        }
    }
}

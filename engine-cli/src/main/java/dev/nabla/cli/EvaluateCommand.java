package dev.nabla.cli;

import dev.nabla.Plural;
import dev.nabla.backend.Selection;
import dev.nabla.data.Samples;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import dev.nabla.train.ConfusionMatrix;
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

/** {@code engine evaluate}: the model's loss on a file's samples. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Prints the model's loss (the mean over the samples of its per-sample loss) on the data; for a "
                    + "classifier (--labels, or a classification loss) the accuracy too, and with --confusion the "
                    + "confusion matrix."
        })
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--data",
            paramLabel = "FILE",
            required = true,
            description = "CSV of inputs and targets, or a .npy of inputs with --targets.")
    Path data;

    @Option(names = "--targets", paramLabel = "FILE", description = "The targets for .npy inputs.")
    Path targets;

    @Option(
            names = "--header",
            description = "The CSV's first row is a header, whatever it holds (without it, only a first row in "
                    + "which no cell is a number is).")
    boolean header;

    @Option(
            names = "--labels",
            description = "The targets are class indices 0..C-1, one a sample (the CSV's last column, or a 1-D .npy "
                    + "--targets of whole numbers or integers), read as one-hot targets of C: the model's outputs. "
                    + "Implied for a model of a classification loss whose data has one column after the inputs.")
    boolean labels;

    @Option(
            names = "--confusion",
            description = "Also print the confusion matrix: rows the true class, columns the predicted class "
                    + "(the largest output), with totals.")
    boolean confusion;

    @Mixin
    ModelOptions run;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Network net = run.network();
        Samples raw = DataFiles.samples(data, targets, net, net.outputs(), header, labels);
        TrainingLoop.requireFits(raw, net.inputs(), net.outputs());
        Samples samples = net.standardized(raw); // a model that standardizes takes raw inputs
        boolean classes = DataFiles.classifies(net, labels) || confusion;
        int chunk = run.chunk(net, samples.count());
        try (Selection sel = run.open();
                Trainer tr = ModelOptions.trainer(sel, net, chunk)) {
            out.println("backend: " + sel.summary());
            double loss = tr.loss(samples, 0, samples.count());
            long fusedRight = tr.lastCorrect(); // a classification loss counts them with the loss, as training does
            out.println(String.format(
                    Locale.ROOT,
                    "loss %s over %s",
                    TrainingReport.formatLoss(loss),
                    Plural.of(samples.count(), "sample")));
            if (classes) {
                ConfusionMatrix m = ConfusionMatrix.of(tr, samples);
                long right = fusedRight >= 0 ? fusedRight : m.correct();
                boolean multiLabel = net.loss() == Loss.BINARY_CROSS_ENTROPY && net.outputs() > 1;
                out.println(String.format(
                        Locale.ROOT,
                        "accuracy %.2f%% (%,d of %,d samples classified right: %s)",
                        100.0 * right / samples.count(),
                        right,
                        samples.count(),
                        multiLabel
                                ? "every output on its target's side of 0.5"
                                : net.outputs() == 1
                                        ? "the output on the target's side of 0.5"
                                        : "the largest output at the label"));
                if (confusion && multiLabel) {
                    out.println("no confusion matrix: binary cross-entropy of " + net.outputs()
                            + " outputs gives each sample several labels, not one class");
                } else if (confusion) {
                    out.print(m.format());
                }
            }
        }
        return 0;
    }
}

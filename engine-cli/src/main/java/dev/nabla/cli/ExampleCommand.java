package dev.nabla.cli;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.example.DocumentExample;
import dev.nabla.train.LayerTrace;
import dev.nabla.train.StepTrace;
import dev.nabla.train.Trainer;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code engine example}: the document's worked example on a backend, every value it prints,
 * labelled as the document labels them, with 8 decimals.
 */
@Command(
        name = "example",
        mixinStandardHelpOptions = true,
        description = {
            "Trains the document's 2-2-2 sigmoid network for one gradient-descent step and prints "
                    + "every value of its forward pass, backward pass and update."
        })
final class ExampleCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BackendOptions backend;

    private PrintWriter out;

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        double[] x = DocumentExample.INPUT;
        double[] t = DocumentExample.TARGET;
        try (Selection sel = backend.open(Precision.FP64);
                Trainer tr = new Trainer(sel.backend(), DocumentExample.network(), 1)) {
            out.println("The document's example: 2-2-2 sigmoid network, no bias, x = (0.1, 0.2), "
                    + "target = (0.4, 0.6), learning rate 0.5");
            out.println("backend: " + sel.summary());
            StepTrace s = tr.traceStep(x, t, 0, 1, DocumentExample.LEARNING_RATE);
            double after = tr.loss(x, t, 0, 1);
            LayerTrace hidden = s.layer(0);
            LayerTrace output = s.layer(1);
            double[] h = hidden.activation();
            double[] o = output.activation();

            section("Forward pass");
            value("z1", hidden.preActivation()[0]);
            value("z2", hidden.preActivation()[1]);
            value("h1", h[0]);
            value("h2", h[1]);
            value("z3", output.preActivation()[0]);
            value("z4", output.preActivation()[1]);
            value("o1", o[0]);
            value("o2", o[1]);
            value("E_o1", 0.5 * (t[0] - o[0]) * (t[0] - o[0]));
            value("E_o2", 0.5 * (t[1] - o[1]) * (t[1] - o[1]));
            value("E_total", s.loss());

            section("Backward pass, step 1: output layer (W5..W8)");
            value("dE/do1", output.outputGradient()[0]);
            value("dE/do2", output.outputGradient()[1]);
            value("do1/dz3", Activation.SIGMOID.derivativeFromOutput(o[0]));
            value("do2/dz4", Activation.SIGMOID.derivativeFromOutput(o[1]));
            value("dz3/dW5", h[0]);
            weights(output.weightGradient(), s.updated().layer(1).weights(), 5);

            section("Backward pass, step 2: hidden layer (W1..W4), with the output weights from before the update");
            value("dE/dh1", hidden.outputGradient()[0]);
            value("dE/dh2", hidden.outputGradient()[1]);
            value("dh1/dz1", Activation.SIGMOID.derivativeFromOutput(h[0]));
            value("dh2/dz2", Activation.SIGMOID.derivativeFromOutput(h[1]));
            weights(hidden.weightGradient(), s.updated().layer(0).weights(), 1);

            section("Check: a second forward pass with the updated weights");
            value("E_total", after);
            value("error fell by", s.loss() - after);
        }
        return 0;
    }

    private void weights(double[] gradients, double[] updated, int firstIndex) {
        for (int k = 0; k < gradients.length; k++) {
            value("dE/dW" + (firstIndex + k), gradients[k]);
        }
        for (int k = 0; k < updated.length; k++) {
            value("W" + (firstIndex + k) + "+", updated[k]);
        }
    }

    private void section(String title) {
        out.println();
        out.println(title);
    }

    private void value(String label, double v) {
        out.println(String.format(Locale.ROOT, "  %-13s = %.8f", label, v));
    }
}

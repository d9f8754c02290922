package examples;

import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.example.DocumentExample;
import dev.nabla.model.Network;
import dev.nabla.train.Trainer;

/**
 * The worked example Nabla grew from: a 2-2-2 sigmoid network without bias, one sample and one
 * gradient-descent step of learning rate 0.5 on the mean squared error. It prints the error before
 * and after the step and the eight updated weights, to 10 decimals, to hold against the document's.
 */
final class DocumentStep {
    private DocumentStep() {}

    static void run() {
        Network network = DocumentExample.network();
        double[] x = DocumentExample.INPUT;
        double[] t = DocumentExample.TARGET;
        // FP64: the document's numbers to their last digit; "auto" takes CUDA where it can run, else the CPU.
        try (Selection selection = Backends.select(Backends.AUTO, Precision.FP64);
                Trainer trainer = new Trainer(selection.backend(), network, 1)) {
            System.out.println("document example: 2-2-2 sigmoid network, one step of SGD, learning rate "
                    + DocumentExample.LEARNING_RATE);
            System.out.println("backend: " + selection.summary());
            double before = trainer.step(x, t, 0, 1, DocumentExample.LEARNING_RATE);
            double after = trainer.loss(x, t, 0, 1);
            System.out.printf("E_total before = %.10f%n", before);
            System.out.printf("E_total after  = %.10f%n", after);
            System.out.printf("error fell by  = %.10f%n", before - after);
            Network trained = trainer.network();
            // Layer weights are row-major, weights[j * inputs + i] from input i into unit j: W1..W4 feed
            // h1 and h2, W5..W8 feed o1 and o2, in the document's order.
            int n = 1;
            for (int layer = 0; layer < trained.depth(); layer++) {
                for (double w : trained.layer(layer).weights()) {
                    System.out.printf("W%d+ = %.10f%n", n++, w);
                }
            }
        }
    }
}

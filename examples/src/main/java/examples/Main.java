package examples;

import dev.nabla.InputException;
import java.util.List;

/**
 * Runs the examples: {@code java -jar target/nabla-examples.jar [document|digits]}, both without an
 * argument. Each builds a network through Nabla's API, trains it and prints what it reached.
 */
public final class Main {
    private static final List<String> EXAMPLES = List.of("document", "digits");

    private Main() {}

    public static void main(String[] args) {
        if (args.length > 1 || (args.length == 1 && !EXAMPLES.contains(args[0]))) {
            System.err.println("nabla-examples: expected one of " + String.join(", ", EXAMPLES)
                    + " or nothing (both), not '" + String.join(" ", args) + "'");
            System.exit(2);
        }
        try {
            if (args.length == 0 || args[0].equals("document")) {
                DocumentStep.run();
            }
            if (args.length == 0) {
                System.out.println();
            }
            if (args.length == 0 || args[0].equals("digits")) {
                DigitsClassifier.run();
            }
        } catch (InputException e) {
            // Nabla's one-line errors (a backend that cannot run here, a setting out of range) say it all.
            System.err.println("nabla-examples: " + e.getMessage());
            System.exit(1);
        }
    }
}

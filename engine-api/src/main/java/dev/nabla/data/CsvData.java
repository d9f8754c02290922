package dev.nabla.data;

import dev.nabla.InputException;
import dev.nabla.Plural;
import java.nio.file.Path;

/** Reads training data from CSV: each row the inputs, then the targets. */
public final class CsvData {
    private CsvData() {
    }

    /** Reads data for a network of {@code inputs} inputs and {@code targets} outputs. */
    public static Dataset read(Path file, int inputs, int targets) {
        int cols = inputs + targets;
        CsvTable t = CsvTable.read(file, cols, "the model takes " + Plural.of(inputs, "input") + " and " + Plural.of(targets, "target"));
        return Dataset.fromTable(t.name(), t.rows(), t.cols(), t.values(), targets);
    }

    /** Reads data whose last {@code targets} columns are the targets, any number of inputs before them. */
    public static Dataset readWithTargets(Path file, int targets) {
        CsvTable t = CsvTable.read(file, 0, "");
        if (t.cols() <= targets) {
            throw new InputException(t.name() + ":" + t.firstDataLine() + ": " + Plural.of(t.cols(), "column") + ", but "
                    + targets + " of them are targets; at least one input column must come first");
        }
        return Dataset.fromTable(t.name(), t.rows(), t.cols(), t.values(), targets);
    }
}

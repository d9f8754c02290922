package dev.nabla.data;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Training data as CSV: each row one sample, its inputs and then its targets. Written with a
 * header row ({@code x1,...,xI,t1,...,tO}) and every number printed so that it reads back to the
 * identical double.
 */
public final class CsvData {
    private CsvData() {}

    /** Reads data for a network of {@code inputs} inputs and {@code targets} outputs. */
    public static Dataset read(Path file, int inputs, int targets) {
        return read(file, inputs, targets, false);
    }

    /** {@link #read(Path, int, int)}; with {@code header} the first row is a header whatever it holds. */
    public static Dataset read(Path file, int inputs, int targets, boolean header) {
        int cols = inputs + targets;
        CsvTable t = CsvTable.read(file, cols, takes(inputs, targets), header);
        return Dataset.fromTable(t.name(), t.rows(), t.cols(), t.values(), targets);
    }

    /** Reads data whose last {@code targets} columns are the targets, any number of inputs before them. */
    public static Dataset readWithTargets(Path file, int targets) {
        return readWithTargets(file, targets, false);
    }

    /** {@link #readWithTargets(Path, int)}; with {@code header} the first row is a header whatever it holds. */
    public static Dataset readWithTargets(Path file, int targets, boolean header) {
        CsvTable t = CsvTable.read(file, 0, "", header);
        if (t.cols() <= targets) {
            throw new InputException(t.name() + ":" + t.firstDataLine() + ": " + Plural.of(t.cols(), "column")
                    + ", but " + targets + " of them are targets; at least one input column must come first");
        }
        return Dataset.fromTable(t.name(), t.rows(), t.cols(), t.values(), targets);
    }

    /**
     * Reads data whose last column holds class labels, turned into one-hot targets of
     * {@code classes} (the model's outputs; 0 without a model: the largest label plus one);
     * {@code inputs} is the model's inputs, or 0 for any number of them.
     */
    public static Dataset readLabeled(Path file, int inputs, int classes, boolean header) {
        CsvTable t = CsvTable.readLabeled(
                file,
                inputs > 0 ? inputs + 1 : 0,
                "the model takes " + Plural.of(inputs, "input") + " and the label",
                header,
                classes);
        if (t.cols() < 2) {
            throw new InputException(t.name() + ":" + t.firstDataLine()
                    + ": 1 column, but the last is the label; at least one input column must come first");
        }
        return ClassLabels.oneHot(t.name(), t.rows(), t.cols(), t.values(), classes);
    }

    /**
     * The samples of the lines that start in bytes {@code [start, end)} of a CSV file
     * ({@link CsvTable#readRange}) for a network of {@code inputs} inputs and {@code targets}
     * outputs; with {@code labels} the last column holds class labels, one-hot into
     * {@code targets} classes.
     */
    public static CsvRows readRange(
            String name,
            InputStream in,
            long start,
            long end,
            long newlinesBefore,
            int inputs,
            int targets,
            boolean header,
            boolean labels)
            throws IOException {
        if (!labels) {
            CsvTable t = CsvTable.readRange(
                    name, in, start, end, newlinesBefore, inputs + targets, takes(inputs, targets), header, 0);
            return CsvRows.of(t, inputs, targets);
        }
        CsvTable t = CsvTable.readRange(
                name,
                in,
                start,
                end,
                newlinesBefore,
                inputs + 1,
                "the model takes " + Plural.of(inputs, "input") + " and the label",
                header,
                targets);
        if (t.rows() == 0) {
            return new CsvRows(0, inputs, targets, new double[0], new double[0], t.headerSeen());
        }
        Dataset d = ClassLabels.oneHot(name, t.rows(), t.cols(), t.values(), targets);
        return new CsvRows(d.samples(), inputs, targets, d.inputs(), d.targets(), t.headerSeen());
    }

    private static String takes(int inputs, int targets) {
        return "the model takes " + Plural.of(inputs, "input") + " and " + Plural.of(targets, "target");
    }

    /** The dataset as CSV text: a header, then one row per sample. */
    public static String toCsv(Dataset d) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= d.inputWidth(); i++) {
            sb.append(i == 1 ? "" : ",").append('x').append(i);
        }
        for (int k = 1; k <= d.targetWidth(); k++) {
            sb.append(",t").append(k);
        }
        sb.append('\n');
        for (int s = 0; s < d.samples(); s++) {
            for (int i = 0; i < d.inputWidth(); i++) {
                sb.append(i == 0 ? "" : ",").append(d.inputs()[s * d.inputWidth() + i]);
            }
            for (int k = 0; k < d.targetWidth(); k++) {
                sb.append(',').append(d.targets()[s * d.targetWidth() + k]);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Writes the dataset through a temporary file and a rename. */
    public static void write(Dataset d, Path file) {
        AtomicFiles.writeString(file, toCsv(d));
    }
}

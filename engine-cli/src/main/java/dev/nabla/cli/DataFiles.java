package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.data.ClassLabels;
import dev.nabla.data.CsvData;
import dev.nabla.data.CsvRows;
import dev.nabla.data.CsvSource;
import dev.nabla.data.CsvTable;
import dev.nabla.data.NpyArray;
import dev.nabla.data.NpySamples;
import dev.nabla.data.Samples;
import dev.nabla.io.InputFiles;
import dev.nabla.model.Network;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/** The user's data files: CSV (inputs, then targets, per row), or {@code .npy} inputs with {@code .npy} targets. */
final class DataFiles {
    private DataFiles() {}

    static boolean isNpy(Path p) {
        return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy");
    }

    /**
     * Samples for training or evaluating {@code net}; without a network, a CSV's last
     * {@code outputs} columns are its targets. With {@code header} a CSV's first row is a header
     * whatever it holds.
     */
    static Samples samples(Path data, Path targets, Network net, int outputs, boolean header) {
        return samples(data, targets, net, outputs, header, false);
    }

    /**
     * {@link #samples(Path, Path, Network, int, boolean)}; with {@code labels} the targets are class
     * indices (a CSV's last column, or a 1-D {@code .npy}), one-hot over the network's outputs,
     * or without a network over the largest label plus one.
     */
    static Samples samples(Path data, Path targets, Network net, int outputs, boolean header, boolean labels) {
        return source(data, targets, net, outputs, header, labels).open();
    }

    /**
     * The samples {@link #samples(Path, Path, Network, int, boolean, boolean)} opens, as a
     * description another machine opens them from ({@code engine train --spark}'s executors).
     */
    static Source source(Path data, Path targets, Network net, int outputs, boolean header, boolean labels) {
        requirePath(data);
        requirePath(targets);
        return new Source(
                data.toString(),
                targets == null ? null : targets.toString(),
                net == null ? 0 : net.inputs(),
                net == null ? 0 : net.outputs(),
                outputs,
                header,
                labels || labelsImplied(data, targets, net));
    }

    /**
     * Data files as the command reads them: for a network of {@code inputs} and {@code classes}
     * outputs (both 0 without one, the CSV's last {@code outputs} columns then its targets), with
     * {@code labels} the targets being class indices.
     */
    record Source(String data, String targets, int inputs, int classes, int outputs, boolean header, boolean labels)
            implements CsvSource {
        @Override
        public Samples open() {
            Path file = Path.of(data);
            if (isNpy(file)) {
                requireCsv(file, header);
                if (targets == null) {
                    throw new InputException(data + ": .npy inputs need their " + (labels ? "labels" : "targets")
                            + " as a second file: --targets Y.npy");
                }
                return labels
                        ? ClassLabels.npy(file, Path.of(targets), classes)
                        : NpySamples.open(file, Path.of(targets));
            }
            if (targets != null) {
                throw new InputException(
                        "--targets is for .npy inputs; a CSV file holds its targets in its last columns");
            }
            InputFiles.requireReadableFile(file);
            if (labels) {
                return CsvData.readLabeled(file, inputs, classes, header);
            }
            return inputs == 0
                    ? CsvData.readWithTargets(file, outputs, header)
                    : CsvData.read(file, inputs, classes, header);
        }

        @Override
        public String describe() {
            return targets == null ? data : data + " and " + targets;
        }

        /**
         * These files for {@code net}'s widths, where they were opened before the network was
         * built (its widths read from the data): what lets a cluster read a CSV by byte ranges.
         */
        Source forNetwork(Network net) {
            return inputs > 0 ? this : new Source(data, targets, net.inputs(), net.outputs(), outputs, header, labels);
        }

        /** The CSV file, for a network's known widths; else null (a {@code .npy} file, or widths read from the file). */
        @Override
        public String csvFile() {
            return isNpy(Path.of(data)) || targets != null || inputs == 0 || classes == 0 ? null : data;
        }

        @Override
        public CsvRows readRange(InputStream in, long start, long end, long newlinesBefore) throws IOException {
            return CsvData.readRange(data, in, start, end, newlinesBefore, inputs, classes, header, labels);
        }
    }

    /** A URI's scheme as a path turns it ({@code hdfs://nn/x} becomes {@code hdfs:/nn/x}); one letter is a drive. */
    private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:/");

    /**
     * Refuses a URI where the command reads a file: it opens files by path, on this machine (and,
     * on Spark, the same path on every executor: a shared or mounted file system).
     */
    private static void requirePath(Path file) {
        if (file != null && URI_SCHEME.matcher(file.toString()).find()) {
            throw new InputException(file + ": a URI, but the engine command reads data files by path (mount the file"
                    + " system, or train from a program with SparkTrainer, which reads hdfs:, s3a: and other Hadoop"
                    + " URIs)");
        }
    }

    /**
     * Whether the targets of a classifier's data are class labels without {@code --labels}: for a
     * network of a classification loss with {@code C > 1} outputs, a CSV whose first row has
     * {@code I + 1} cells (the inputs and a label), or {@code .npy} targets of one column or of
     * integers. Other data holds its targets as they are (one-hot, or class probabilities:
     * {@code I + C} columns, or {@code N x C}). A network of one output (binary cross-entropy)
     * takes its 0/1 target column as a target.
     */
    static boolean labelsImplied(Path data, Path targets, Network net) {
        if (net == null || !net.loss().classification() || net.outputs() < 2) {
            return false;
        }
        if (isNpy(data)) {
            if (targets == null || !isNpy(targets)) {
                return false;
            }
            NpyArray t = NpyArray.openLabels(targets);
            return t.cols() == 1 || !t.dtype().startsWith("float");
        }
        return firstRowCells(data) == net.inputs() + 1;
    }

    /** The cells of a CSV's first non-blank line, or -1 when it has none or cannot be read (reading it says why). */
    private static int firstRowCells(Path csv) {
        String line = CsvTable.firstLine(csv);
        return line == null ? -1 : CsvHeader.cells(line).size();
    }

    /** Whether the model's outputs are classes: {@code --labels} data, or a network of a classification loss. */
    static boolean classifies(Network net, boolean labels) {
        return labels || net.loss().classification();
    }

    /** {@code --header} names a CSV's first row; a {@code .npy} has none. */
    private static void requireCsv(Path data, boolean header) {
        if (header) {
            throw new InputException("--header is for CSV data; " + data + " is a .npy file, which has no header row");
        }
    }

    /** Rows of inputs to predict from, read a chunk at a time. */
    interface Inputs {
        int count();

        void copy(int first, int rows, double[] dst);
    }

    /**
     * The inputs of {@code data} for a network of {@code width} inputs: a {@code .npy} of
     * {@code N x width}, or a CSV of {@code width} columns (inputs only) or {@code width + targets}
     * (the targets are ignored). With {@code header} a CSV's first row is a header whatever it holds.
     */
    static Inputs inputs(Path data, int width, int targets, boolean header) {
        if (isNpy(data)) {
            requireCsv(data, header);
            NpyArray a = NpyArray.open(data);
            if (a.cols() != width) {
                throw new InputException(data + ": " + a.cols() + " columns, but the model takes " + width + " inputs");
            }
            a.requireFinite();
            return new Inputs() {
                @Override
                public int count() {
                    return a.rows();
                }

                @Override
                public void copy(int first, int rows, double[] dst) {
                    a.copyRows(first, rows, dst, 0);
                }
            };
        }
        InputFiles.requireReadableFile(data);
        CsvTable t = CsvTable.read(data, 0, "", header);
        // The inputs alone, or followed by the targets or by one column of class labels (--labels data).
        if (t.cols() != width && t.cols() != width + targets && t.cols() != width + 1) {
            throw new InputException(data + ":" + t.firstDataLine() + ": " + t.cols() + " columns, but the model takes "
                    + width + " inputs (and " + targets + " targets or one label column, which predict ignores)");
        }
        return new Inputs() {
            @Override
            public int count() {
                return t.rows();
            }

            @Override
            public void copy(int first, int rows, double[] dst) {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(t.values(), (first + r) * t.cols(), dst, r * width, width);
                }
            }
        };
    }
}

package dev.nabla.spark;

import dev.nabla.data.CsvData;
import dev.nabla.data.NpySamples;
import dev.nabla.data.Samples;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * Where the training samples are, as each executor finds them: the driver ships this description,
 * never the samples, and every executor opens them itself (once per JVM, {@link ExecutorCache}),
 * so the data never passes through the driver. The paths must name the same files on every
 * machine (a shared file system, or copies). The samples are taken as the layers take them: a
 * network's input scaling is not applied here, as {@code Trainer} does not apply it either.
 */
public interface SparkData extends Serializable {

    /** Opens the samples; called on an executor. */
    Samples open();

    /** For messages. */
    String describe();

    /** Inputs and targets in two {@code .npy} files of as many rows (memory-mapped, as {@code NpySamples} reads them). */
    static SparkData npy(String inputs, String targets) {
        return new NpyFiles(inputs, targets);
    }

    /** One CSV file whose first {@code inputs} columns are the inputs and the next {@code targets} the targets. */
    static SparkData csv(String file, int inputs, int targets, boolean header) {
        return new CsvFile(file, inputs, targets, header);
    }

    /** Two {@code .npy} files. */
    record NpyFiles(String inputs, String targets) implements SparkData {
        @Override
        public Samples open() {
            return NpySamples.open(Path.of(inputs), Path.of(targets));
        }

        @Override
        public String describe() {
            return inputs + " and " + targets;
        }
    }

    /** A CSV file, read whole into each executor's memory. */
    record CsvFile(String file, int inputs, int targets, boolean header) implements SparkData {
        @Override
        public Samples open() {
            return CsvData.read(Path.of(file), inputs, targets, header);
        }

        @Override
        public String describe() {
            return file;
        }
    }
}

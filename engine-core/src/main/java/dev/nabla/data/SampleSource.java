package dev.nabla.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Where training samples come from, as a description that can travel: a machine that trains on
 * part of the data (a Spark executor) is sent this, never the samples, and opens them itself, so
 * the samples never pass through the machine that coordinates. Every machine that opens the same
 * source gets the same samples in the same order; the paths must name the same files wherever it
 * is opened (a shared file system, or copies).
 */
public interface SampleSource extends Serializable {

    /** Opens the samples (memory-mapped {@code .npy}, a CSV read whole, or generated). */
    Samples open();

    /** What the samples are, for messages. */
    String describe();

    /** The names of the files the samples are read from, as given (none for generated samples). */
    default List<String> files() {
        return List.of();
    }

    /**
     * The same samples read from the files {@code where} names for each of {@link #files()}: the
     * copy a machine holds of a file it cannot open by its given name (a remote file system's).
     */
    default SampleSource withFiles(UnaryOperator<String> where) {
        return this;
    }

    /** Inputs and targets in two {@code .npy} files of as many rows, memory-mapped as {@link NpySamples} reads them. */
    static SampleSource npy(String inputs, String targets) {
        return new NpyFiles(inputs, targets);
    }

    /** One CSV file whose first {@code inputs} columns are the inputs and the next {@code targets} the targets. */
    static SampleSource csv(String file, int inputs, int targets, boolean header) {
        return new CsvFile(file, inputs, targets, header);
    }

    /** The built-in data: {@code count} samples drawn from {@code seed} ({@link SyntheticData}). */
    static SampleSource synthetic(int count, long seed) {
        return new Synthetic(count, seed);
    }

    /**
     * The samples left to train on when {@code held} of these are held out: the last ones, or
     * with {@code drawn} those {@link HeldOutSplit#drawn} draws from {@code seed}.
     */
    default SampleSource trainingPart(int held, boolean drawn, long seed) {
        return new TrainingPart(this, held, drawn, seed);
    }

    /** These samples with their inputs standardized by {@code scaling} as they are copied. */
    default SampleSource standardized(InputScaling scaling) {
        return new Standardized(this, scaling);
    }

    /**
     * Two {@code .npy} files.
     *
     * @param inputs the path of the inputs, {@code N x I}
     * @param targets the path of the targets, {@code N x O} or {@code N}
     */
    record NpyFiles(String inputs, String targets) implements SampleSource {
        @Override
        public Samples open() {
            return NpySamples.open(Path.of(inputs), Path.of(targets));
        }

        @Override
        public String describe() {
            return inputs + " and " + targets;
        }

        @Override
        public List<String> files() {
            return List.of(inputs, targets);
        }

        @Override
        public SampleSource withFiles(UnaryOperator<String> where) {
            return new NpyFiles(where.apply(inputs), where.apply(targets));
        }
    }

    /**
     * A CSV file, read whole into the memory of each machine that opens it, or by byte ranges
     * among the machines of a cluster ({@link CsvSource}).
     *
     * @param file its path
     * @param inputs the input columns, first in each row
     * @param targets the target columns, last in each row
     * @param header whether its first row is a header, whatever it holds
     */
    record CsvFile(String file, int inputs, int targets, boolean header) implements CsvSource {
        @Override
        public Samples open() {
            return CsvData.read(Path.of(file), inputs, targets, header);
        }

        @Override
        public String csvFile() {
            return file;
        }

        @Override
        public CsvRows readRange(InputStream in, long start, long end, long newlinesBefore) throws IOException {
            return CsvData.readRange(file, in, start, end, newlinesBefore, inputs, targets, header, false);
        }

        @Override
        public String describe() {
            return file;
        }

        @Override
        public List<String> files() {
            return List.of(file);
        }

        @Override
        public SampleSource withFiles(UnaryOperator<String> where) {
            return new CsvFile(where.apply(file), inputs, targets, header);
        }
    }

    /**
     * The built-in synthetic data.
     *
     * @param count the samples
     * @param seed the seed they are drawn from
     */
    record Synthetic(int count, long seed) implements SampleSource {
        @Override
        public Samples open() {
            return SyntheticData.generate(count, seed);
        }

        @Override
        public String describe() {
            return "the built-in data (" + count + " samples, seed " + seed + ")";
        }
    }

    /**
     * What is left to train on of a source with some of its samples held out.
     *
     * @param all the source, held-out samples and all
     * @param held how many samples are held out
     * @param drawn whether they are drawn from {@code seed} ({@code --shuffle}), else the last ones
     * @param seed the seed they are drawn from
     */
    record TrainingPart(SampleSource all, int held, boolean drawn, long seed) implements SampleSource {
        @Override
        public Samples open() {
            Samples s = all.open();
            return (drawn ? HeldOutSplit.drawn(s, held, seed) : HeldOutSplit.last(s, held)).train();
        }

        @Override
        public String describe() {
            return all.describe() + " less " + held + " held-out samples";
        }

        @Override
        public List<String> files() {
            return all.files();
        }

        @Override
        public SampleSource withFiles(UnaryOperator<String> where) {
            return new TrainingPart(all.withFiles(where), held, drawn, seed);
        }
    }

    /**
     * A source whose inputs are standardized.
     *
     * @param raw the source as it is stored
     * @param scaling the standardization applied to its inputs as they are copied
     */
    record Standardized(SampleSource raw, InputScaling scaling) implements SampleSource {
        @Override
        public Samples open() {
            return scaling.apply(raw.open());
        }

        @Override
        public String describe() {
            return raw.describe() + ", standardized";
        }

        @Override
        public List<String> files() {
            return raw.files();
        }

        @Override
        public SampleSource withFiles(UnaryOperator<String> where) {
            return new Standardized(raw.withFiles(where), scaling);
        }
    }
}

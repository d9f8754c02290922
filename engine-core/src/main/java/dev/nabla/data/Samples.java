package dev.nabla.data;

/**
 * Samples to train on: sample {@code s} has {@link #inputWidth()} inputs and
 * {@link #targetWidth()} targets. They are read a few rows at a time, so they need not all be in
 * memory at once ({@link NpySamples} maps them from files).
 */
public interface Samples {

    /** Where the samples come from, for messages: a file name, {@code built-in synthetic data}. */
    String name();

    /** The number of samples. */
    int count();

    /** The inputs of each sample. */
    int inputWidth();

    /** The targets of each sample. */
    int targetWidth();

    /** Copies the inputs of samples {@code first .. first + rows - 1} into {@code dst} from {@code offset}, row-major. */
    void copyInputs(int first, int rows, double[] dst, int offset);

    /** Copies the targets of samples {@code first .. first + rows - 1} into {@code dst} from {@code offset}, row-major. */
    void copyTargets(int first, int rows, double[] dst, int offset);

    /** The inputs as one row-major array when they are in memory, else {@code null}; lets a batch skip a copy. */
    default double[] inputArray() {
        return null;
    }

    /** The targets as one row-major array when they are in memory, else {@code null}. */
    default double[] targetArray() {
        return null;
    }

    /** Samples {@code first .. first + count - 1} of these, as a view. */
    default Samples slice(int first, int count) {
        return new SampleSlice(this, first, count);
    }
}

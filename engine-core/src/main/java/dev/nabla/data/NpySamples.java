package dev.nabla.data;

import dev.nabla.InputException;
import java.nio.file.Path;

/**
 * Samples from two {@code .npy} files, one of inputs ({@code N x I}) and one of targets
 * ({@code N x O}, or {@code (N,)} for one target), both memory-mapped.
 */
public final class NpySamples implements Samples {
    private final NpyArray inputs;
    private final NpyArray targets;

    private NpySamples(NpyArray inputs, NpyArray targets) {
        this.inputs = inputs;
        this.targets = targets;
    }

    /** Opens both files and checks that they match and hold only finite numbers. */
    public static NpySamples open(Path inputFile, Path targetFile) {
        NpyArray x = NpyArray.open(inputFile);
        NpyArray t = NpyArray.open(targetFile);
        if (x.rows() != t.rows()) {
            throw new InputException(targetFile + ": " + t.rows() + " rows of targets, but " + inputFile + " has "
                    + x.rows() + " rows of inputs");
        }
        x.requireFinite();
        t.requireFinite();
        return new NpySamples(x, t);
    }

    @Override
    public String name() {
        return inputs.name() + " and " + targets.name();
    }

    @Override
    public int count() {
        return inputs.rows();
    }

    @Override
    public int inputWidth() {
        return inputs.cols();
    }

    @Override
    public int targetWidth() {
        return targets.cols();
    }

    @Override
    public void copyInputs(int first, int rows, double[] dst, int offset) {
        inputs.copyRows(first, rows, dst, offset);
    }

    @Override
    public void copyTargets(int first, int rows, double[] dst, int offset) {
        targets.copyRows(first, rows, dst, offset);
    }

    /** {@code "float64 inputs, float32 targets"}, for reports. */
    public String dtypes() {
        return inputs.dtype() + " inputs, " + targets.dtype() + " targets";
    }
}

package dev.nabla.train;

import dev.nabla.data.Samples;

/** Row-major arrays from a caller as {@link Samples}; the arrays may be longer than their samples. */
record ArraySamples(int count, int inputWidth, int targetWidth, double[] inputArray, double[] targetArray)
        implements Samples {
    @Override
    public String name() {
        return "arrays";
    }

    @Override
    public void copyInputs(int first, int rows, double[] dst, int offset) {
        System.arraycopy(inputArray, first * inputWidth, dst, offset, rows * inputWidth);
    }

    @Override
    public void copyTargets(int first, int rows, double[] dst, int offset) {
        System.arraycopy(targetArray, first * targetWidth, dst, offset, rows * targetWidth);
    }
}

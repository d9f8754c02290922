package dev.nabla.data;

/** A contiguous range of another {@link Samples}, for instance the held-out part of a split. */
record SampleSlice(Samples whole, int first, int count) implements Samples {

    SampleSlice {
        if (first < 0 || count < 1 || (long) first + count > whole.count()) {
            throw new IllegalArgumentException(
                    "samples " + first + " .. " + ((long) first + count - 1) + " of " + whole.count());
        }
    }

    @Override
    public String name() {
        return whole.name() + " (samples " + (first + 1) + " to " + (first + count) + ")";
    }

    @Override
    public int inputWidth() {
        return whole.inputWidth();
    }

    @Override
    public int targetWidth() {
        return whole.targetWidth();
    }

    @Override
    public void copyInputs(int from, int rows, double[] dst, int offset) {
        whole.copyInputs(first + from, rows, dst, offset);
    }

    @Override
    public void copyTargets(int from, int rows, double[] dst, int offset) {
        whole.copyTargets(first + from, rows, dst, offset);
    }

    @Override
    public Samples slice(int from, int n) {
        return new SampleSlice(whole, first + from, n);
    }
}

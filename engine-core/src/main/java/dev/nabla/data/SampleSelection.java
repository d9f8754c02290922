package dev.nabla.data;

/**
 * Some samples of another {@link Samples}, picked by index: sample {@code s} of the view is sample
 * {@code indices[s]} of the whole. Rows are copied one by one, straight from the whole's arrays
 * when it is in memory; copying allocates nothing.
 */
final class SampleSelection implements Samples {
    private final Samples whole;
    private final int[] indices;
    private final String name;

    /** {@code indices} are kept, not copied; each must be a sample of {@code whole}. */
    SampleSelection(Samples whole, int[] indices, String name) {
        if (indices.length < 1) {
            throw new IllegalArgumentException("a selection of no samples of " + whole.name());
        }
        for (int s : indices) {
            if (s < 0 || s >= whole.count()) {
                throw new IllegalArgumentException("sample " + s + " of " + whole.count());
            }
        }
        this.whole = whole;
        this.indices = indices;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int count() {
        return indices.length;
    }

    @Override
    public int inputWidth() {
        return whole.inputWidth();
    }

    @Override
    public int targetWidth() {
        return whole.targetWidth();
    }

    /** The index in the whole of sample {@code s} of this view. */
    int index(int s) {
        return indices[s];
    }

    @Override
    public void copyInputs(int first, int rows, double[] dst, int offset) {
        copy(whole.inputArray(), whole.inputWidth(), false, first, rows, dst, offset);
    }

    @Override
    public void copyTargets(int first, int rows, double[] dst, int offset) {
        copy(whole.targetArray(), whole.targetWidth(), true, first, rows, dst, offset);
    }

    private void copy(double[] src, int width, boolean targets, int first, int rows, double[] dst, int offset) {
        if (first < 0 || rows < 0 || first + rows > indices.length) {
            throw new IndexOutOfBoundsException(
                    "samples " + first + " .. " + (first + rows - 1) + " of " + indices.length);
        }
        for (int r = 0; r < rows; r++) {
            int s = indices[first + r];
            if (src != null) {
                System.arraycopy(src, s * width, dst, offset + r * width, width);
            } else if (targets) {
                whole.copyTargets(s, 1, dst, offset + r * width);
            } else {
                whole.copyInputs(s, 1, dst, offset + r * width);
            }
        }
    }
}

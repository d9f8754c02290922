package dev.nabla.data;

/**
 * The most values the engine puts in one Java array, the bound every array of samples, batches
 * and predictions lives within: the JVM's own limit on an array's length, a few short of
 * {@link Integer#MAX_VALUE}.
 */
public final class ArrayLimit {
    /** The longest array the engine allocates. */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    private ArrayLimit() {}

    /** The most rows of {@code width} values one array holds. */
    public static int rows(int width) {
        if (width < 1) {
            throw new IllegalArgumentException("a row needs at least one value, not " + width);
        }
        return MAX_LENGTH / width;
    }

    /** Whether {@code rows} rows of {@code width} values fit in one array. */
    public static boolean fits(long rows, long width) {
        return rows >= 0 && width >= 0 && (width == 0 || rows <= MAX_LENGTH / width);
    }
}

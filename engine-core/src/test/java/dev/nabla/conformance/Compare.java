package dev.nabla.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import dev.nabla.numerics.Tolerance;

/**
 * Element-by-element comparison that, on failure, names how many elements differ, the largest
 * difference and the first few differing elements with both values.
 */
public final class Compare {
    private static final int SHOWN = 5;

    private Compare() {}

    /** Every {@code |actual - expected|} within {@code tolerance} on {@code |expected|}'s scale. */
    public static void close(String what, double[] expected, double[] actual, Tolerance tolerance) {
        double[] bound = new double[expected.length];
        for (int i = 0; i < expected.length; i++) {
            bound[i] = tolerance.bound(expected[i]);
        }
        within(what, expected, actual, bound);
    }

    /** Every {@code |actual - expected|} within {@code tolerance} on the scale {@code scale[i]} (for a sum, its terms' magnitudes). */
    public static void close(String what, double[] expected, double[] actual, Tolerance tolerance, double[] scale) {
        double[] bound = new double[expected.length];
        for (int i = 0; i < expected.length; i++) {
            bound[i] = tolerance.bound(scale[i]);
        }
        within(what, expected, actual, bound);
    }

    /** Every {@code |actual - expected| <= bound[i]}; NaN anywhere is a difference. */
    public static void within(String what, double[] expected, double[] actual, double[] bound) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        int bad = 0;
        double maxDiff = 0;
        int maxAt = -1;
        StringBuilder first = new StringBuilder();
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs(actual[i] - expected[i]);
            boolean ok = diff <= bound[i];
            if (!(diff <= maxDiff) || Double.isNaN(diff)) {
                maxDiff = Double.isNaN(diff) ? Double.NaN : diff;
                maxAt = i;
            }
            if (!ok) {
                if (bad < SHOWN) {
                    first.append(String.format(
                            " [%d] expected %.17g got %.17g (diff %.3g, allowed %.3g);",
                            i, expected[i], actual[i], diff, bound[i]));
                }
                bad++;
            }
        }
        if (bad > 0) {
            fail(String.format(
                    "%s: %d of %d elements differ; max |diff| %.3g at [%d]; first:%s",
                    what, bad, expected.length, maxDiff, maxAt, first));
        }
    }

    /** The largest {@code |a[i] - b[i]|}. */
    public static double maxDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }
}

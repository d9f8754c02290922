package dev.nabla.data;

import java.util.ArrayList;
import java.util.List;

/**
 * How far each input feature of some samples lies from unit scale, to tell a user which columns
 * to standardize. A feature is <em>far from unit scale</em> when its largest absolute value is
 * above {@link #LIMIT} (100: two orders of magnitude above the values near 1 that the default
 * weights and learning rates suit), the size at which plain gradient descent on unscaled features
 * tends to diverge.
 */
public final class FeatureScales {
    /** The largest absolute value a feature may reach and still count as near unit scale. */
    public static final double LIMIT = 100;

    private final double[] largest;

    private FeatureScales(double[] largest) {
        this.largest = largest;
    }

    /** Reads every input of {@code samples} once, a chunk of rows at a time. */
    public static FeatureScales of(Samples samples) {
        int w = samples.inputWidth();
        int n = samples.count();
        int chunk = Math.max(1, Math.min(n, (1 << 16) / w));
        double[] buf = new double[chunk * w];
        double[] largest = new double[w];
        for (int first = 0; first < n; first += chunk) {
            int rows = Math.min(chunk, n - first);
            samples.copyInputs(first, rows, buf, 0);
            for (int k = 0; k < rows * w; k++) {
                int i = k % w;
                largest[i] = Math.max(largest[i], Math.abs(buf[k]));
            }
        }
        return new FeatureScales(largest);
    }

    /** The largest absolute value of feature {@code i} (from 0). */
    public double largest(int i) {
        return largest[i];
    }

    /** The features (from 0) whose largest absolute value is above {@link #LIMIT}, in order. */
    public List<Integer> farFromUnitScale() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < largest.length; i++) {
            if (largest[i] > LIMIT) {
                out.add(i);
            }
        }
        return out;
    }
}

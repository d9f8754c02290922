package dev.nabla.data;

import dev.nabla.InputException;
import java.util.Arrays;

/**
 * Per-feature standardization of a network's inputs, as scikit-learn's {@code StandardScaler}:
 * input {@code i} becomes {@code (x_i - mean_i) / scale_i}, where {@code mean_i} is the mean of
 * feature {@code i} over the training samples and {@code scale_i} their population standard
 * deviation (ddof 0), or 1 for a constant feature. A model that holds a scaling takes raw inputs:
 * it is applied to every input before the first layer, in training, held-out measurement,
 * {@code predict} and {@code evaluate}. Immutable; accessors return copies.
 *
 * <p>A feature counts as constant when its variance is at most {@code (n * |mean| * eps)^2 + n *
 * eps * variance} for {@code n} samples and {@code eps} the double's machine epsilon (2.2e-16):
 * what is left of a constant column by rounding, the test scikit-learn makes.
 */
public final class InputScaling implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    /** The mean of each input over the training samples. */
    private final double[] mean;
    /** The divisor of each input: its population standard deviation, or 1 where it is constant. */
    private final double[] scale;

    private InputScaling(double[] mean, double[] scale) {
        this.mean = mean;
        this.scale = scale;
    }

    /**
     * A scaling of the given means and scales, one of each per input: each mean finite, each
     * scale finite and positive, else an {@link InputException} naming the entry (from 1).
     */
    public static InputScaling of(double[] mean, double[] scale) {
        if (mean.length != scale.length || mean.length == 0) {
            throw new InputException("a standardization needs as many means as scales, at least one: " + mean.length
                    + " means, " + scale.length + " scales");
        }
        for (int i = 0; i < mean.length; i++) {
            if (!Double.isFinite(mean[i])) {
                throw new InputException(
                        "standardize mean entry " + (i + 1) + " is " + mean[i] + "; a mean must be finite");
            }
            if (!(scale[i] > 0) || !Double.isFinite(scale[i])) {
                throw new InputException("standardize scale entry " + (i + 1) + " is " + scale[i]
                        + "; a scale must be positive and finite");
            }
        }
        return new InputScaling(mean.clone(), scale.clone());
    }

    /**
     * The mean and population standard deviation of each input over {@code samples} (the
     * training samples only, not those held out), read a chunk of rows at a time: the mean
     * first, then the squared deviations from it, summed in double.
     */
    public static InputScaling fit(Samples samples) {
        int w = samples.inputWidth();
        int n = samples.count();
        int chunk = Math.max(1, Math.min(n, (1 << 16) / w));
        double[] buf = new double[chunk * w];
        double[] sum = new double[w];
        for (int first = 0; first < n; first += chunk) {
            int rows = Math.min(chunk, n - first);
            samples.copyInputs(first, rows, buf, 0);
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < w; i++) {
                    sum[i] += buf[r * w + i];
                }
            }
        }
        double[] mean = new double[w];
        for (int i = 0; i < w; i++) {
            mean[i] = sum[i] / n;
        }
        double[] squares = new double[w];
        for (int first = 0; first < n; first += chunk) {
            int rows = Math.min(chunk, n - first);
            samples.copyInputs(first, rows, buf, 0);
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < w; i++) {
                    double d = buf[r * w + i] - mean[i];
                    squares[i] += d * d;
                }
            }
        }
        double eps = Math.ulp(1.0);
        double[] scale = new double[w];
        for (int i = 0; i < w; i++) {
            double variance = squares[i] / n;
            double rounding = n * Math.abs(mean[i]) * eps;
            boolean constant = variance <= rounding * rounding + n * eps * variance;
            scale[i] = constant ? 1.0 : Math.sqrt(variance);
        }
        return new InputScaling(mean, scale);
    }

    /** The number of inputs scaled. */
    public int width() {
        return mean.length;
    }

    /** The mean subtracted from each input (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** The scale each input is divided by after its mean is subtracted (a copy). */
    public double[] scale() {
        return scale.clone();
    }

    /** Standardizes {@code rows} rows of {@link #width()} inputs in {@code x} from {@code offset}, in place. */
    public void applyInPlace(double[] x, int offset, int rows) {
        int w = mean.length;
        for (int r = 0; r < rows; r++) {
            int at = offset + r * w;
            for (int i = 0; i < w; i++) {
                x[at + i] = (x[at + i] - mean[i]) / scale[i];
            }
        }
    }

    /**
     * {@code samples} with their inputs standardized as they are copied (a view: nothing is
     * copied now); targets unchanged. Their input width must be this scaling's.
     */
    public Samples apply(Samples samples) {
        if (samples.inputWidth() != mean.length) {
            throw new InputException(samples.name() + ": " + samples.inputWidth() + " inputs a sample, but the "
                    + "standardization is for " + mean.length);
        }
        return new Standardized(samples, this);
    }

    /** Samples whose inputs are standardized as they are copied. */
    private record Standardized(Samples raw, InputScaling scaling) implements Samples {
        @Override
        public String name() {
            return raw.name();
        }

        @Override
        public int count() {
            return raw.count();
        }

        @Override
        public int inputWidth() {
            return raw.inputWidth();
        }

        @Override
        public int targetWidth() {
            return raw.targetWidth();
        }

        @Override
        public void copyInputs(int first, int rows, double[] dst, int offset) {
            raw.copyInputs(first, rows, dst, offset);
            scaling.applyInPlace(dst, offset, rows);
        }

        @Override
        public void copyTargets(int first, int rows, double[] dst, int offset) {
            raw.copyTargets(first, rows, dst, offset);
        }

        @Override
        public Samples slice(int first, int count) {
            return new Standardized(raw.slice(first, count), scaling);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputScaling s && Arrays.equals(mean, s.mean) && Arrays.equals(scale, s.scale);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(scale);
    }

    @Override
    public String toString() {
        return "InputScaling(mean " + Arrays.toString(mean) + ", scale " + Arrays.toString(scale) + ")";
    }
}

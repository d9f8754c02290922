package dev.nabla.train;

/**
 * The class a classifier's outputs (or a sample's targets) stand for. With {@code C > 1} outputs,
 * the index of the largest (the first of a tie): the class of a one-hot target, the likeliest of
 * softmax probabilities. With one output (a sigmoid, binary cross-entropy), two classes: 1 where
 * the value is above 0.5, else 0 (as {@link dev.nabla.backend.LogitLoss} counts a logit above 0 as
 * class 1, so that training and evaluation count alike).
 */
public final class Classes {
    private Classes() {}

    /** The number of classes of outputs {@code width} wide: {@code width}, or 2 for one output. */
    public static int count(int width) {
        return width == 1 ? 2 : width;
    }

    /** The class, from 0, of {@code width} values from {@code offset}. */
    public static int of(double[] v, int offset, int width) {
        if (width == 1) {
            return v[offset] > 0.5 ? 1 : 0;
        }
        int best = 0;
        for (int k = 1; k < width; k++) {
            if (v[offset + k] > v[offset + best]) {
                best = k;
            }
        }
        return best;
    }

    /**
     * The probability of each of the {@link #count} classes: the outputs themselves, or for one
     * output {@code p} the pair {@code 1 - p, p}; written to {@code dst} from {@code at}.
     */
    public static void probabilities(double[] v, int offset, int width, double[] dst, int at) {
        if (width == 1) {
            dst[at] = 1 - v[offset];
            dst[at + 1] = v[offset];
        } else {
            System.arraycopy(v, offset, dst, at, width);
        }
    }
}

package dev.nabla.train;

/**
 * Watches the epoch losses of a run for a loss that grew by orders of magnitude: an epoch whose
 * loss is more than {@link #FACTOR} times the smallest epoch loss so far (when that is above 0;
 * else more than {@link #FACTOR} times the first epoch's loss, when that is above 0). Since the
 * smallest loss so far is at most the first, this also catches a loss more than {@code FACTOR}
 * times the first. Only the first such epoch is reported; the epochs are those this watch was
 * shown (a resumed run starts watching again). A loss that is NaN or infinite is not watched here:
 * the training loop stops on it ({@link TrainingDivergedException}).
 */
public final class LossGrowth {
    /** How many times the smallest epoch loss so far an epoch loss may be before it counts as grown. */
    public static final double FACTOR = 100;

    /**
     * An epoch whose loss grew past {@link #FACTOR} times the reference.
     *
     * @param epoch the epoch, from 1
     * @param loss its loss
     * @param reference the smallest epoch loss before it (or the first, when the smallest is 0)
     * @param referenceEpoch the epoch of {@code reference}
     * @param smallest whether {@code reference} is the smallest loss before (else the first epoch's)
     */
    public record Grown(int epoch, double loss, double reference, int referenceEpoch, boolean smallest) {
        /** How many times the reference the loss is. */
        public double ratio() {
            return loss / reference;
        }
    }

    private double first = Double.NaN;
    private int firstEpoch;
    private double smallest = Double.NaN;
    private int smallestEpoch;
    private boolean reported;

    /**
     * Takes the loss of epoch {@code epoch}; returns the growth the first time an epoch's loss is
     * more than {@link #FACTOR} times the smallest before it, else null.
     */
    public Grown epoch(int epoch, double loss) {
        if (!Double.isFinite(loss)) {
            return null;
        }
        if (Double.isNaN(first)) {
            first = loss;
            firstEpoch = epoch;
            smallest = loss;
            smallestEpoch = epoch;
            return null;
        }
        Grown grown = null;
        if (!reported) {
            if (smallest > 0 && loss > FACTOR * smallest) {
                grown = new Grown(epoch, loss, smallest, smallestEpoch, true);
            } else if (smallest <= 0 && first > 0 && loss > FACTOR * first) {
                grown = new Grown(epoch, loss, first, firstEpoch, false);
            }
            reported = grown != null;
        }
        if (loss < smallest) {
            smallest = loss;
            smallestEpoch = epoch;
        }
        return grown;
    }
}

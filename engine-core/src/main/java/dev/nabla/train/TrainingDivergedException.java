package dev.nabla.train;

import dev.nabla.InputException;

/**
 * The loss became NaN or infinite, or grew by orders of magnitude where the run was told to stop
 * on that ({@link LossGrowth}); training stopped and nothing it produced should be kept.
 */
public class TrainingDivergedException extends InputException {
    private static final long serialVersionUID = 1L;

    /** The epoch it stopped in, from 1. */
    private final int epoch;
    /** The step it stopped at, counted over the whole run. */
    private final long step;

    /**
     * The loss became {@code loss} (NaN or infinite) at step {@code stepInEpoch} of epoch
     * {@code epoch}, step {@code step} overall; the message says so and suggests a smaller rate.
     */
    public TrainingDivergedException(int epoch, long step, long stepInEpoch, double loss) {
        super("training diverged: the loss became " + loss + " at epoch " + epoch + ", step " + stepInEpoch + " (step "
                + step + " overall); try a smaller --lr");
        this.epoch = epoch;
        this.step = step;
    }

    /** Training stopped at the end of epoch {@code epoch}, step {@code step} overall, for the reason {@code message} gives. */
    public TrainingDivergedException(String message, int epoch, long step) {
        super(message);
        this.epoch = epoch;
        this.step = step;
    }

    /** The epoch, from 1. */
    public int epoch() {
        return epoch;
    }

    /** The step counted over the whole run, from 1. */
    public long step() {
        return step;
    }
}

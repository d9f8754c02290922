package dev.nabla.cli;

import java.util.Arrays;

/**
 * The training loss of every step and the held-out loss of every epoch, in growing primitive
 * arrays (a long run has millions of steps), for {@link LossPlot}.
 */
final class LossHistory {
    private long[] steps = new long[1024];
    private double[] losses = new double[1024];
    private int count;
    private long[] heldOutSteps = new long[16];
    private double[] heldOutLosses = new double[16];
    private int heldOutCount;

    void add(long step, double loss) {
        if (count == steps.length) {
            steps = Arrays.copyOf(steps, count * 2);
            losses = Arrays.copyOf(losses, count * 2);
        }
        steps[count] = step;
        losses[count++] = loss;
    }

    /** The held-out loss after the epoch that ended at {@code step}. */
    void addHeldOut(long step, double loss) {
        if (heldOutCount == heldOutSteps.length) {
            heldOutSteps = Arrays.copyOf(heldOutSteps, heldOutCount * 2);
            heldOutLosses = Arrays.copyOf(heldOutLosses, heldOutCount * 2);
        }
        heldOutSteps[heldOutCount] = step;
        heldOutLosses[heldOutCount++] = loss;
    }

    /** Adds the rows a resumed run takes over from the metrics the interrupted run wrote. */
    void addAll(Iterable<TrainingReport.Row> rows) {
        for (TrainingReport.Row r : rows) {
            add(r.step(), r.loss());
            if (!Double.isNaN(r.validationLoss())) {
                addHeldOut(r.step(), r.validationLoss());
            }
        }
    }

    int count() {
        return count;
    }

    long step(int i) {
        return steps[i];
    }

    double loss(int i) {
        return losses[i];
    }

    int heldOutCount() {
        return heldOutCount;
    }

    long heldOutStep(int i) {
        return heldOutSteps[i];
    }

    double heldOutLoss(int i) {
        return heldOutLosses[i];
    }
}

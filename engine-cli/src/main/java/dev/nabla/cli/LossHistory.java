package dev.nabla.cli;

import java.util.Arrays;

/**
 * The training loss of every step and the held-out loss of every epoch, with their accuracies
 * for a classification loss (NaN for {@code mse}), in growing primitive arrays (a long run has
 * millions of steps), for {@link LossPlot}.
 */
final class LossHistory {
    private long[] steps = new long[1024];
    private double[] losses = new double[1024];
    private double[] accuracies = new double[1024];
    private int[] epochs = new int[1024];
    private int count;
    private long[] heldOutSteps = new long[16];
    private double[] heldOutLosses = new double[16];
    private double[] heldOutAccuracies = new double[16];
    private int heldOutCount;

    /** A step of an epoch: its loss, and the share of its batch classified right (NaN for {@code mse}). */
    void add(long step, int epoch, double loss, double accuracy) {
        if (count == steps.length) {
            steps = Arrays.copyOf(steps, count * 2);
            losses = Arrays.copyOf(losses, count * 2);
            accuracies = Arrays.copyOf(accuracies, count * 2);
            epochs = Arrays.copyOf(epochs, count * 2);
        }
        steps[count] = step;
        epochs[count] = epoch;
        accuracies[count] = accuracy;
        losses[count++] = loss;
    }

    /** The held-out loss and accuracy (NaN for {@code mse}) after the epoch that ended at {@code step}. */
    void addHeldOut(long step, double loss, double accuracy) {
        if (heldOutCount == heldOutSteps.length) {
            heldOutSteps = Arrays.copyOf(heldOutSteps, heldOutCount * 2);
            heldOutLosses = Arrays.copyOf(heldOutLosses, heldOutCount * 2);
            heldOutAccuracies = Arrays.copyOf(heldOutAccuracies, heldOutCount * 2);
        }
        heldOutSteps[heldOutCount] = step;
        heldOutAccuracies[heldOutCount] = accuracy;
        heldOutLosses[heldOutCount++] = loss;
    }

    /** Adds the rows a resumed run takes over from the metrics the interrupted run wrote. */
    void addAll(Iterable<TrainingReport.Row> rows) {
        for (TrainingReport.Row r : rows) {
            add(r.step(), r.epoch(), r.loss(), r.accuracy());
            if (!Double.isNaN(r.validationLoss())) {
                addHeldOut(r.step(), r.validationLoss(), r.validationAccuracy());
            }
        }
    }

    int epoch(int i) {
        return epochs[i];
    }

    double accuracy(int i) {
        return accuracies[i];
    }

    double heldOutAccuracy(int i) {
        return heldOutAccuracies[i];
    }

    /** Whether any step has an accuracy: the run's loss is a classification loss. */
    boolean hasAccuracy() {
        return count > 0 && !Double.isNaN(accuracies[0]);
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

package dev.nabla.train;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.data.Samples;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Epochs of mini-batch training over samples, each step's learning rate from the run's
 * {@link LearningRateSchedule}, each update the trainer's optimizer's.
 *
 * <p>An epoch is one pass over the data. Without shuffling, batches are consecutive samples in
 * order, the last one possibly shorter; with shuffling, each epoch visits the samples in a new
 * order drawn from the seed (the same seed, the same orders). A loss that becomes NaN or infinite
 * stops the run with {@link TrainingDivergedException}.
 *
 * <p>A run can stop after any step (when asked to) and be resumed from the {@link Position} it
 * reached: the shuffled orders are drawn again from the seed and the steps already taken are
 * skipped, so a resumed run takes exactly the steps an uninterrupted one takes.
 */
public final class TrainingLoop {

    /**
     * How to train. {@code epochs} may be 0 (nothing is trained); {@code learningRate} is the
     * schedule's base rate.
     */
    public record Options(
            int epochs, int batch, double learningRate, boolean shuffle, long seed, LearningRateSchedule schedule) {
        /** Options with a constant learning rate. */
        public Options(int epochs, int batch, double learningRate, boolean shuffle, long seed) {
            this(epochs, batch, learningRate, shuffle, seed, LearningRateSchedule.CONSTANT);
        }

        /** Checks every setting; one out of its range is an {@link IllegalArgumentException} naming it. */
        public Options {
            if (schedule == null) {
                throw new IllegalArgumentException("schedule is null");
            }
            if (epochs < 0) {
                throw new IllegalArgumentException("epochs must be 0 or more, not " + epochs);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be at least 1, not " + batch);
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException(
                        "learning rate must be a positive finite number, not " + learningRate);
            }
        }
    }

    /**
     * Where a run stands: the next step is step {@code stepInEpoch} (from 0) of epoch
     * {@code epoch} (from 1), after {@code stepsDone} steps in all; {@code epochLossSum} is the sum
     * over the epoch's steps so far of the batch loss times the batch size, and {@code epochCorrect}
     * the samples its steps classified right (0 for {@code mse}).
     */
    public record Position(int epoch, int stepInEpoch, long stepsDone, double epochLossSum, long epochCorrect) {
        /** The start of a run. */
        public static final Position START = new Position(1, 0, 0, 0.0, 0);

        /** A position with no samples classified right counted (for {@code mse}). */
        public Position(int epoch, int stepInEpoch, long stepsDone, double epochLossSum) {
            this(epoch, stepInEpoch, stepsDone, epochLossSum, 0);
        }
    }

    /**
     * One step taken: its epoch and number, its learning rate, its batch's loss and size, the
     * batch's samples classified right (by the network before the update; -1 for {@code mse}), and
     * the position after it.
     */
    public record Step(
            int epoch,
            long step,
            int stepInEpoch,
            int stepsInEpoch,
            double learningRate,
            double loss,
            int samples,
            long correct,
            double seconds,
            Position next) {}

    /**
     * One epoch done. {@code loss} is the mean per-sample loss over the epoch's batches;
     * {@code validationLoss} the mean loss on the held-out samples after the epoch (NaN without them).
     * For a classification loss, {@code accuracy} is the share of the epoch's samples its steps
     * classified right (each by the network before its step's update), and
     * {@code validationAccuracy} the share of the held-out samples classified right after the
     * epoch; both NaN for {@code mse} (and the latter without held-out samples).
     */
    public record Epoch(
            int number,
            double loss,
            double validationLoss,
            long samples,
            long steps,
            double seconds,
            double accuracy,
            double validationAccuracy) {
        /** An epoch of a run without accuracy ({@code mse}). */
        public Epoch(int number, double loss, double validationLoss, long samples, long steps, double seconds) {
            this(number, loss, validationLoss, samples, steps, seconds, Double.NaN, Double.NaN);
        }
    }

    /** Told of every step and every epoch. */
    public interface Listener {
        /** After each step; the default does nothing. */
        default void stepDone(Step step) {}

        /** After each epoch, its held-out loss measured; the default does nothing. */
        default void epochDone(Epoch epoch) {}

        /** A listener for epochs only. */
        static Listener onEpoch(Consumer<Epoch> action) {
            return new Listener() {
                @Override
                public void epochDone(Epoch epoch) {
                    action.accept(epoch);
                }
            };
        }
    }

    /**
     * The whole run: the samples and steps trained in this call, the seconds spent in training
     * steps, the last epoch's loss, and where it stopped ({@code finished} false when it was asked
     * to stop before the last epoch ended).
     */
    public record Result(
            long samples, long steps, double seconds, double lastLoss, Position position, boolean finished) {
        /** Training throughput. */
        public double samplesPerSecond() {
            return seconds > 0 ? samples / seconds : Double.NaN;
        }
    }

    private TrainingLoop() {}

    /** Trains from the start to the end with no held-out samples. */
    public static Result run(Trainer trainer, Samples data, Options options, Listener listener) {
        return run(trainer, data, null, options, Position.START, () -> false, listener);
    }

    /**
     * Trains {@code trainer}'s network on {@code data} from {@code start}, checking {@code stop}
     * after every step; after each epoch, measures the loss on {@code validation} when given.
     */
    public static Result run(
            Trainer trainer,
            Samples data,
            Samples validation,
            Options options,
            Position start,
            BooleanSupplier stop,
            Listener listener) {
        return run(trainer, Steps.local(trainer, data), data.count(), validation, options, start, stop, listener);
    }

    /**
     * How a run's steps are computed: by the trainer on its own backend ({@link #local}), or by
     * many machines whose gradient sums one trainer applies. Either way a step trains on the
     * samples at positions {@code first..first+rows-1} of its epoch's order.
     */
    public interface Steps {
        /**
         * One step of epoch {@code epoch} (from 1) on the samples at positions
         * {@code first..first+rows-1} of {@code order} (null: file order; else the epoch's
         * {@link ShuffledOrders} order) at learning rate {@code learningRate}; returns the batch's
         * mean loss before the update.
         */
        double step(int epoch, int[] order, int first, int rows, double learningRate);

        /** The samples the last step classified right (by the network before its update); -1 for {@code mse}. */
        long lastCorrect();

        /** Steps the trainer takes itself on {@code data}. */
        static Steps local(Trainer trainer, Samples data) {
            return new Steps() {
                @Override
                public double step(int epoch, int[] order, int first, int rows, double learningRate) {
                    return trainer.step(data, order, first, rows, learningRate);
                }

                @Override
                public long lastCorrect() {
                    return trainer.lastCorrect();
                }
            };
        }
    }

    /**
     * Trains on {@code samples} samples through {@code steps} from {@code start}, checking
     * {@code stop} after every step; {@code trainer} holds the network the steps update, and
     * after each epoch measures the loss on {@code validation} when given. Every way of computing
     * steps shares this loop, so their runs take the same batches at the same learning rates and
     * stop, resume and report alike.
     */
    public static Result run(
            Trainer trainer,
            Steps steps,
            int samples,
            Samples validation,
            Options options,
            Position start,
            BooleanSupplier stop,
            Listener listener) {
        Listener events = listener == null ? new Listener() {} : listener;
        int n = samples;
        if (n < 1) {
            throw new InputException("no samples to train on");
        }
        int batch = Math.min(options.batch(), n);
        int stepsPerEpoch = (n + batch - 1) / batch;
        if (start.epoch() < 1 || start.stepInEpoch() < 0 || start.stepInEpoch() > stepsPerEpoch) {
            throw new InputException("cannot resume at epoch " + start.epoch() + ", step " + start.stepInEpoch()
                    + ": an epoch of this data has " + Plural.of(stepsPerEpoch, "step"));
        }
        ShuffledOrders orders = options.shuffle() ? new ShuffledOrders(n, options.seed()) : null;
        long trained = 0;
        long taken = 0;
        long nanos = 0;
        long stepsDone = start.stepsDone();
        long totalSteps = (long) options.epochs() * stepsPerEpoch;
        boolean classifies = trainer.lossFunction().classification();
        double lastLoss = Double.NaN;
        for (int e = start.epoch(); e <= options.epochs(); e++) {
            int[] order = orders == null ? null : orders.epoch(e);
            boolean resumed = e == start.epoch();
            int firstStep = resumed ? start.stepInEpoch() : 0;
            double lossSum = resumed ? start.epochLossSum() : 0.0;
            long correct = resumed ? start.epochCorrect() : 0;
            long epochNanos = 0;
            long epochSamples = 0;
            for (int k = firstStep; k < stepsPerEpoch; k++) {
                int first = k * batch;
                int rows = Math.min(batch, n - first);
                double lr = options.schedule().rate(options.learningRate(), stepsDone, totalSteps);
                long t0 = System.nanoTime();
                double loss = steps.step(e, order, first, rows, lr);
                long dt = System.nanoTime() - t0;
                epochNanos += dt;
                stepsDone++;
                taken++;
                trained += rows;
                epochSamples += rows;
                if (!Double.isFinite(loss)) {
                    throw new TrainingDivergedException(e, stepsDone, k + 1, loss);
                }
                lossSum += loss * rows;
                long right = steps.lastCorrect();
                correct += Math.max(0, right);
                Position next = k + 1 < stepsPerEpoch
                        ? new Position(e, k + 1, stepsDone, lossSum, correct)
                        : new Position(e + 1, 0, stepsDone, 0.0, 0);
                events.stepDone(new Step(e, stepsDone, k + 1, stepsPerEpoch, lr, loss, rows, right, dt / 1e9, next));
                if (k + 1 < stepsPerEpoch && stop.getAsBoolean()) {
                    nanos += epochNanos;
                    return new Result(trained, taken, nanos / 1e9, lastLoss, next, false);
                }
            }
            nanos += epochNanos;
            lastLoss = lossSum / n;
            double validationLoss = Double.NaN;
            double validationAccuracy = Double.NaN;
            if (validation != null) {
                validationLoss = trainer.loss(validation, 0, validation.count());
                if (classifies) {
                    validationAccuracy = (double) trainer.lastCorrect() / validation.count();
                }
            }
            events.epochDone(new Epoch(
                    e,
                    lastLoss,
                    validationLoss,
                    epochSamples,
                    stepsPerEpoch - firstStep,
                    epochNanos / 1e9,
                    classifies ? (double) correct / n : Double.NaN,
                    validationAccuracy));
            Position next = new Position(e + 1, 0, stepsDone, 0.0, 0);
            if (e < options.epochs() && stop.getAsBoolean()) {
                return new Result(trained, taken, nanos / 1e9, lastLoss, next, false);
            }
        }
        return new Result(
                trained,
                taken,
                nanos / 1e9,
                lastLoss,
                new Position(Math.max(start.epoch(), options.epochs() + 1), 0, stepsDone, 0.0, 0),
                true);
    }

    /** Checks that {@code data} fits a network's input and output widths. */
    public static void requireFits(Samples data, int inputs, int outputs) {
        if (data.inputWidth() != inputs || data.targetWidth() != outputs) {
            throw new InputException(data.name() + ": " + Plural.of(data.inputWidth(), "input") + " and "
                    + Plural.of(data.targetWidth(), "target") + " per sample, but the model takes "
                    + Plural.of(inputs, "input") + " and " + Plural.of(outputs, "target"));
        }
    }
}

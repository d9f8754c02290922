package dev.nabla.train;

import dev.nabla.InputException;
import dev.nabla.Plural;
import dev.nabla.data.Dataset;
import java.util.SplittableRandom;

/**
 * Epochs of mini-batch SGD over a dataset in memory.
 *
 * <p>An epoch is one pass over the data. Without shuffling, batches are consecutive samples in
 * order, the last one possibly shorter; with shuffling, each epoch visits the samples in a new
 * order drawn from the seed (the same seed, the same order). A loss that becomes NaN or infinite
 * stops the run with {@link TrainingDivergedException}.
 */
public final class TrainingLoop {

    /** How to train. {@code epochs} may be 0 (nothing is trained). */
    public record Options(int epochs, int batch, double learningRate, boolean shuffle, long seed) {
        public Options {
            if (epochs < 0) {
                throw new IllegalArgumentException("epochs must be 0 or more, not " + epochs);
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be at least 1, not " + batch);
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("learning rate must be a positive finite number, not " + learningRate);
            }
        }
    }

    /** What one epoch did. {@code loss} is the mean per-sample loss over the epoch's batches. */
    public record Epoch(int number, double loss, long samples, long steps, double seconds) {
    }

    /** Called after every epoch. */
    public interface Listener {
        void epochDone(Epoch epoch);
    }

    /** The whole run: samples and steps trained and the seconds spent in training steps. */
    public record Result(int epochs, long samples, long steps, double seconds, double lastLoss) {
        /** Training throughput. */
        public double samplesPerSecond() {
            return seconds > 0 ? samples / seconds : Double.NaN;
        }
    }

    private TrainingLoop() {
    }

    /** Trains {@code trainer}'s network on {@code data}; the trainer's capacity must hold a batch. */
    public static Result run(Trainer trainer, Dataset data, Options options, Listener listener) {
        int batch = Math.min(options.batch(), data.samples());
        if (trainer.capacity() < batch) {
            throw new IllegalArgumentException("the trainer holds " + trainer.capacity() + " samples, a batch is " + batch);
        }
        int in = data.inputWidth();
        int out = data.targetWidth();
        int[] order = null;
        double[] xStage = null;
        double[] tStage = null;
        SplittableRandom rng = new SplittableRandom(options.seed());
        if (options.shuffle()) {
            order = new int[data.samples()];
            for (int s = 0; s < order.length; s++) {
                order[s] = s;
            }
            xStage = new double[batch * in];
            tStage = new double[batch * out];
        }
        long steps = 0;
        long samples = 0;
        long nanos = 0;
        double lastLoss = Double.NaN;
        for (int e = 1; e <= options.epochs(); e++) {
            if (order != null) {
                shuffle(order, rng);
            }
            long start = System.nanoTime();
            double lossSum = 0;
            long epochSteps = 0;
            for (int first = 0; first < data.samples(); first += batch) {
                int rows = Math.min(batch, data.samples() - first);
                double loss;
                if (order == null) {
                    loss = trainer.step(data.inputs(), data.targets(), first, rows, options.learningRate());
                } else {
                    gather(data.inputs(), in, order, first, rows, xStage);
                    gather(data.targets(), out, order, first, rows, tStage);
                    loss = trainer.step(xStage, tStage, 0, rows, options.learningRate());
                }
                steps++;
                epochSteps++;
                if (!Double.isFinite(loss)) {
                    throw new TrainingDivergedException(e, steps, epochSteps, loss);
                }
                lossSum += loss * rows;
            }
            long elapsed = System.nanoTime() - start;
            nanos += elapsed;
            samples += data.samples();
            lastLoss = lossSum / data.samples();
            if (listener != null) {
                listener.epochDone(new Epoch(e, lastLoss, data.samples(), epochSteps, elapsed / 1e9));
            }
        }
        return new Result(options.epochs(), samples, steps, nanos / 1e9, lastLoss);
    }

    /** Checks that {@code data} fits {@code network}'s input and output widths. */
    public static void requireFits(Dataset data, int inputs, int outputs) {
        if (data.inputWidth() != inputs || data.targetWidth() != outputs) {
            throw new InputException(data.name() + ": " + Plural.of(data.inputWidth(), "input") + " and "
                    + Plural.of(data.targetWidth(), "target") + " per sample, but the model takes "
                    + Plural.of(inputs, "input") + " and " + Plural.of(outputs, "target"));
        }
    }

    private static void shuffle(int[] order, SplittableRandom rng) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    }

    private static void gather(double[] src, int width, int[] order, int first, int rows, double[] dst) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(src, order[first + r] * width, dst, r * width, width);
        }
    }
}

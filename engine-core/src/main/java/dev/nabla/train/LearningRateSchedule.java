package dev.nabla.train;

import dev.nabla.InputException;
import java.util.Locale;

/**
 * The learning rate of every step, from the base rate {@code lr}, for step {@code s} (from 0) of a
 * run of {@code S} steps in all. A linear warm-up of {@code W} steps comes first (none when
 * {@code W = 0}), then the schedule proper over the {@code S - W} steps left, numbered
 * {@code k = s - W} from 0:
 * <pre>
 *   warm-up (s &lt; W):  lr (s + 1) / W
 *   constant:         lr
 *   step:             lr gamma^floor(k / N)                 (PyTorch's StepLR, stepped every step)
 *   cosine:           lr (1 + cos(pi k / (S - W))) / 2      (from lr down towards 0, never reaching it)
 * </pre>
 * The rate depends on the step's number alone, so a resumed run takes the rates an uninterrupted
 * one takes.
 *
 * @param kind the schedule after the warm-up
 * @param stepSize {@code N}, the steps between two decays of the step schedule (at least 1)
 * @param gamma the step schedule's factor, in (0, 1]
 * @param warmup {@code W}, the warm-up's steps (0 or more)
 */
public record LearningRateSchedule(Kind kind, int stepSize, double gamma, int warmup) {
    /** The schedules. */
    public enum Kind {
        /** The base rate at every step. */
        CONSTANT,
        /** The base rate times {@code gamma} every {@code stepSize} steps. */
        STEP,
        /** Half a cosine from the base rate down towards 0 over the run. */
        COSINE;

        /** The name on the command line and in checkpoints: {@code constant}, {@code step}, {@code cosine}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The schedule named {@code id}; another name is an {@link InputException} listing the known ones. */
        public static Kind parse(String id) {
            for (Kind k : values()) {
                if (k.id().equals(id)) {
                    return k;
                }
            }
            throw new InputException("unknown learning-rate schedule '" + id + "' (known: constant, step, cosine)");
        }
    }

    /** The same rate every step. */
    public static final LearningRateSchedule CONSTANT = new LearningRateSchedule(Kind.CONSTANT, 1, 1.0, 0);

    /** Checks the settings; one out of its range is an {@link InputException} naming it. */
    public LearningRateSchedule {
        if (kind == null) {
            throw new IllegalArgumentException("schedule kind is null");
        }
        if (stepSize < 1) {
            throw new InputException("the step schedule's step size must be at least 1, not " + stepSize);
        }
        if (!(gamma > 0.0 && gamma <= 1.0)) {
            throw new InputException("the step schedule's gamma must be in (0, 1], not " + gamma);
        }
        if (warmup < 0) {
            throw new InputException("the warm-up must be 0 steps or more, not " + warmup);
        }
    }

    /**
     * The rate of step {@code step} (from 0) of a run of {@code total} steps.
     *
     * @throws IllegalArgumentException when the step is not one of the run's
     */
    public double rate(double lr, long step, long total) {
        if (step < 0 || step >= total) {
            throw new IllegalArgumentException("step " + step + " of a run of " + total + " steps");
        }
        if (step < warmup) {
            return lr * (step + 1) / warmup;
        }
        long k = step - warmup;
        return switch (kind) {
            case CONSTANT -> lr;
            case STEP -> lr * Math.pow(gamma, (double) (k / stepSize));
            case COSINE -> lr * (1.0 + Math.cos(Math.PI * k / (total - warmup))) / 2.0;
        };
    }

    /** {@code "cosine after 100 warm-up steps"}: for the lines a run prints. */
    public String describe() {
        String main = switch (kind) {
            case CONSTANT -> "constant";
            case STEP -> "step (times " + gamma + " every " + stepSize + " steps)";
            case COSINE -> "cosine";
        };
        return warmup == 0 ? main : main + " after " + warmup + " warm-up steps";
    }
}

package dev.nabla.train;

import dev.nabla.InputException;
import dev.nabla.backend.Optimizer;
import dev.nabla.data.DataIdentity;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything besides the weights that a resumed run needs to take exactly the steps an
 * uninterrupted one takes: the settings, where the run stands, and which data it trains on. Kept
 * in a checkpoint's metadata as {@code nabla.*} strings.
 *
 * @param options epochs, batch, learning rate, shuffling and seed
 * @param position the next step
 * @param microBatch the micro-batch size (another one sums the same gradients in another order)
 * @param precision {@code fp64} or {@code fp32}
 * @param data the training data's name, for messages
 * @param samples how many samples it trains on, checked on resume
 * @param validation the fraction of the data held out ({@code --validation}), or {@code null} when
 *     none was (checkpoints written before it was recorded have none)
 * @param validationDrawn whether the held-out samples were drawn from the seed among all of the
 *     data (as they are with shuffling) rather than the last rows; false without {@code validation},
 *     and in checkpoints written before it was recorded, which held out the last rows
 * @param dataIdentity what tells the data (all of it, held-out samples included) from other data,
 *     checked on resume; {@code null} in checkpoints written before it was recorded
 * @param optimizer the update rule and its settings (plain SGD in checkpoints written before it
 *     was recorded); its state is in the checkpoint's tensors
 */
public record RunState(
        TrainingLoop.Options options,
        TrainingLoop.Position position,
        int microBatch,
        String precision,
        String data,
        int samples,
        Double validation,
        boolean validationDrawn,
        DataIdentity dataIdentity,
        Optimizer optimizer) {

    /** A run with plain SGD. */
    public RunState(
            TrainingLoop.Options options,
            TrainingLoop.Position position,
            int microBatch,
            String precision,
            String data,
            int samples,
            Double validation,
            boolean validationDrawn,
            DataIdentity dataIdentity) {
        this(
                options,
                position,
                microBatch,
                precision,
                data,
                samples,
                validation,
                validationDrawn,
                dataIdentity,
                Optimizer.SGD);
    }

    /** The value of {@code nabla.validation_split}: which samples were held out. */
    private static final String DRAWN = "drawn";

    private static final String LAST = "last";

    private static final String DATA_IDENTITY = "nabla.data_identity";

    /** The metadata strings. Doubles are written so that they read back exactly. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("nabla.epochs", Integer.toString(options.epochs()));
        m.put("nabla.batch", Integer.toString(options.batch()));
        m.put("nabla.learning_rate", Double.toString(options.learningRate()));
        m.put("nabla.shuffle", Boolean.toString(options.shuffle()));
        m.put("nabla.seed", Long.toString(options.seed()));
        LearningRateSchedule schedule = options.schedule();
        m.put("nabla.lr_schedule", schedule.kind().id());
        m.put("nabla.lr_step", Integer.toString(schedule.stepSize()));
        m.put("nabla.lr_gamma", Double.toString(schedule.gamma()));
        m.put("nabla.warmup", Integer.toString(schedule.warmup()));
        m.put("nabla.optimizer", optimizer.kind().id());
        m.put("nabla.momentum", Double.toString(optimizer.momentum()));
        m.put("nabla.nesterov", Boolean.toString(optimizer.nesterov()));
        m.put("nabla.beta1", Double.toString(optimizer.beta1()));
        m.put("nabla.beta2", Double.toString(optimizer.beta2()));
        m.put("nabla.eps", Double.toString(optimizer.eps()));
        m.put("nabla.weight_decay", Double.toString(optimizer.weightDecay()));
        m.put("nabla.micro_batch", Integer.toString(microBatch));
        m.put("nabla.precision", precision);
        m.put("nabla.data", data);
        m.put("nabla.samples", Integer.toString(samples));
        if (validation != null) {
            m.put("nabla.validation", Double.toString(validation));
            m.put("nabla.validation_split", validationDrawn ? DRAWN : LAST);
        }
        if (dataIdentity != null) {
            m.put(DATA_IDENTITY, dataIdentity.toJson());
        }
        m.put("nabla.epoch", Integer.toString(position.epoch()));
        m.put("nabla.step_in_epoch", Integer.toString(position.stepInEpoch()));
        m.put("nabla.steps_done", Long.toString(position.stepsDone()));
        m.put("nabla.epoch_loss_sum", Double.toString(position.epochLossSum()));
        m.put("nabla.epoch_correct", Long.toString(position.epochCorrect()));
        return m;
    }

    /** Reads the state back; a missing or malformed value is an {@link InputException} naming the file. */
    public static RunState fromMetadata(Map<String, String> m, String file) {
        try {
            TrainingLoop.Options o = new TrainingLoop.Options(
                    Integer.parseInt(get(m, "nabla.epochs", file)),
                    Integer.parseInt(get(m, "nabla.batch", file)),
                    Double.parseDouble(get(m, "nabla.learning_rate", file)),
                    Boolean.parseBoolean(get(m, "nabla.shuffle", file)),
                    Long.parseLong(get(m, "nabla.seed", file)),
                    schedule(m));
            TrainingLoop.Position p = new TrainingLoop.Position(
                    Integer.parseInt(get(m, "nabla.epoch", file)),
                    Integer.parseInt(get(m, "nabla.step_in_epoch", file)),
                    Long.parseLong(get(m, "nabla.steps_done", file)),
                    Double.parseDouble(get(m, "nabla.epoch_loss_sum", file)),
                    Long.parseLong(m.getOrDefault("nabla.epoch_correct", "0")));
            return new RunState(
                    o,
                    p,
                    Integer.parseInt(get(m, "nabla.micro_batch", file)),
                    get(m, "nabla.precision", file),
                    get(m, "nabla.data", file),
                    Integer.parseInt(get(m, "nabla.samples", file)),
                    m.containsKey("nabla.validation") ? Double.valueOf(m.get("nabla.validation")) : null,
                    m.containsKey("nabla.validation") && drawn(m.get("nabla.validation_split"), file),
                    m.containsKey(DATA_IDENTITY)
                            ? DataIdentity.parse(m.get(DATA_IDENTITY), file + " " + DATA_IDENTITY)
                            : null,
                    optimizer(m));
        } catch (NumberFormatException e) {
            throw new InputException(
                    file + ": a training-state value in the checkpoint is not a number (" + e.getMessage() + ")");
        } catch (IllegalArgumentException e) {
            throw new InputException(file + ": the checkpoint's training state is invalid (" + e.getMessage() + ")");
        }
    }

    /** The schedule; a checkpoint written before schedules were recorded had a constant rate. */
    private static LearningRateSchedule schedule(Map<String, String> m) {
        if (!m.containsKey("nabla.lr_schedule")) {
            return LearningRateSchedule.CONSTANT;
        }
        return new LearningRateSchedule(
                LearningRateSchedule.Kind.parse(m.get("nabla.lr_schedule")),
                Integer.parseInt(m.getOrDefault("nabla.lr_step", "1")),
                Double.parseDouble(m.getOrDefault("nabla.lr_gamma", "1.0")),
                Integer.parseInt(m.getOrDefault("nabla.warmup", "0")));
    }

    /** The optimizer; a checkpoint written before optimizers were recorded trained with plain SGD. */
    private static Optimizer optimizer(Map<String, String> m) {
        if (!m.containsKey("nabla.optimizer")) {
            return Optimizer.SGD;
        }
        return new Optimizer(
                Optimizer.Kind.parse(m.get("nabla.optimizer")),
                Double.parseDouble(m.getOrDefault("nabla.momentum", "0")),
                Boolean.parseBoolean(m.getOrDefault("nabla.nesterov", "false")),
                Double.parseDouble(m.getOrDefault("nabla.beta1", Double.toString(Optimizer.DEFAULT_BETA1))),
                Double.parseDouble(m.getOrDefault("nabla.beta2", Double.toString(Optimizer.DEFAULT_BETA2))),
                Double.parseDouble(m.getOrDefault("nabla.eps", Double.toString(Optimizer.DEFAULT_EPS))),
                Double.parseDouble(m.getOrDefault("nabla.weight_decay", "0")));
    }

    /** {@code nabla.validation_split}; a checkpoint without it held out the last rows. */
    private static boolean drawn(String split, String file) {
        if (split == null || split.equals(LAST)) {
            return false;
        }
        if (split.equals(DRAWN)) {
            return true;
        }
        throw new InputException(file + ": the checkpoint's nabla.validation_split is \"" + split + "\", not \"" + LAST
                + "\" or \"" + DRAWN + "\"");
    }

    private static String get(Map<String, String> m, String key, String file) {
        String v = m.get(key);
        if (v == null) {
            throw new InputException(file + ": the checkpoint has no " + key
                    + "; it holds weights but no training state " + "to resume");
        }
        return v;
    }
}

package dev.nabla.cli;

import dev.nabla.InputException;
import dev.nabla.backend.Optimizer;
import dev.nabla.model.Loss;
import dev.nabla.train.LearningRateSchedule;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Option;

/**
 * {@code engine train}'s flags for the loss of the default network, the optimizer and the
 * learning-rate schedule. Each setting comes from its flag, else on {@code --resume} from the
 * checkpoint's run (which a flag may repeat but not contradict), else from the model file's
 * {@code "optimizer"}, else from PyTorch's defaults.
 */
final class OptimizerOptions {
    @Option(
            names = "--loss",
            paramLabel = "mse|softmax-cross-entropy|binary-cross-entropy",
            description = "The loss of the default network (a model file names its own): softmax-cross-entropy "
                    + "ends it in a softmax, binary-cross-entropy in a sigmoid. Default: softmax-cross-entropy "
                    + "with --labels, else mse.")
    String loss;

    @Option(
            names = "--optimizer",
            paramLabel = "sgd|adam|adamw",
            description = "The update rule, in PyTorch's documented form (default: the model file's, else sgd).")
    String optimizer;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD's momentum, in [0, 1) (default: 0).")
    Double momentum;

    @Option(names = "--nesterov", description = "SGD with Nesterov momentum (needs --momentum above 0).")
    Boolean nesterov;

    @Option(names = "--beta1", paramLabel = "B", description = "Adam's first-moment decay, in [0, 1) (default: 0.9).")
    Double beta1;

    @Option(
            names = "--beta2",
            paramLabel = "B",
            description = "Adam's second-moment decay, in (0, 1) (default: 0.999).")
    Double beta2;

    @Option(names = "--eps", paramLabel = "E", description = "Adam's denominator term (default: 1e-8).")
    Double eps;

    @Option(
            names = "--weight-decay",
            paramLabel = "W",
            description = "Weight decay, 0 or more: L2 added to the gradient for sgd and adam, decoupled for adamw "
                    + "(default: 0; 0.01 for adamw).")
    Double weightDecay;

    @Option(
            names = "--lr-schedule",
            paramLabel = "constant|step|cosine",
            description = "The learning rate per step: constant, step (times --lr-gamma every --lr-step steps) or "
                    + "cosine (from --lr down towards 0 over the run). Default: constant.")
    String schedule;

    @Option(names = "--lr-step", paramLabel = "N", description = "Steps between two decays of the step schedule.")
    Integer lrStep;

    @Option(
            names = "--lr-gamma",
            paramLabel = "G",
            description = "The step schedule's factor, in (0, 1] (default: 0.1).")
    Double lrGamma;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            description = "Raise the learning rate linearly over the first N steps, before the schedule (default: 0).")
    Integer warmup;

    /** Each flag alone makes sense, and together with the others; the first that does not is the error. */
    void check() {
        if (loss != null) {
            Loss.parse(loss);
        }
        Optimizer.Kind kind = optimizer == null ? null : Optimizer.Kind.parse(optimizer);
        if (momentum != null && !(momentum >= 0 && momentum < 1)) {
            throw new InputException("--momentum must be in [0, 1), not " + momentum);
        }
        if (beta1 != null && !(beta1 >= 0 && beta1 < 1)) {
            throw new InputException("--beta1 must be in [0, 1), not " + beta1);
        }
        if (beta2 != null && !(beta2 > 0 && beta2 < 1)) {
            throw new InputException("--beta2 must be in (0, 1), not " + beta2);
        }
        if (eps != null && (!(eps > 0) || !Double.isFinite(eps))) {
            throw new InputException("--eps must be a positive finite number, not " + eps);
        }
        if (weightDecay != null && (!(weightDecay >= 0) || !Double.isFinite(weightDecay))) {
            throw new InputException("--weight-decay must be 0 or a positive finite number, not " + weightDecay);
        }
        if (kind != null && kind != Optimizer.Kind.SGD && (momentum != null || nesterov != null)) {
            throw new InputException((momentum != null ? "--momentum" : "--nesterov") + " is an sgd setting; "
                    + kind.id() + " has --beta1 instead");
        }
        if (kind == Optimizer.Kind.SGD && (beta1 != null || beta2 != null || eps != null)) {
            throw new InputException("--beta1, --beta2 and --eps are adam and adamw settings, not sgd's");
        }
        if (Boolean.TRUE.equals(nesterov) && momentum != null && momentum == 0) {
            throw new InputException("--nesterov needs --momentum above 0");
        }
        LearningRateSchedule.Kind s = schedule == null ? null : LearningRateSchedule.Kind.parse(schedule);
        if (lrStep != null && lrStep < 1) {
            throw new InputException("--lr-step must be at least 1, not " + lrStep);
        }
        if (lrGamma != null && !(lrGamma > 0 && lrGamma <= 1)) {
            throw new InputException("--lr-gamma must be in (0, 1], not " + lrGamma);
        }
        if (warmup != null && warmup < 0) {
            throw new InputException("--warmup must be 0 or more, not " + warmup);
        }
        if ((lrStep != null || lrGamma != null) && s != LearningRateSchedule.Kind.STEP) {
            throw new InputException("--lr-step and --lr-gamma apply to --lr-schedule step");
        }
    }

    /** The default network's loss: {@code --loss}, else softmax cross-entropy for {@code --labels}, else mse. */
    Loss defaultLoss(boolean labels) {
        return loss != null ? Loss.parse(loss) : labels ? Loss.SOFTMAX_CROSS_ENTROPY : Loss.MSE;
    }

    /**
     * The optimizer: the flags over {@code recorded} (the checkpoint's, which they may not
     * contradict) or, without one, over {@code model} (the model file's, which they override).
     */
    Optimizer rule(TrainOptions flags, Optimizer recorded, Optimizer model) {
        Optimizer base = recorded != null ? recorded : model;
        Optimizer.Kind kind = Optimizer.Kind.parse(flags.choose(
                "--optimizer",
                optimizer,
                recorded == null ? null : recorded.kind().id(),
                base == null ? "sgd" : base.kind().id()));
        // The settings of a rule of another kind do not carry over.
        Optimizer same = base != null && base.kind() == kind ? base : null;
        Optimizer fromRun = recorded != null && recorded.kind() == kind ? recorded : null;
        double decayDefault = kind == Optimizer.Kind.ADAMW ? Optimizer.DEFAULT_ADAMW_WEIGHT_DECAY : 0.0;
        try {
            return new Optimizer(
                    kind,
                    setting(flags, "--momentum", momentum, fromRun, same, Optimizer::momentum, 0.0),
                    Boolean.parseBoolean(flags.choose(
                            "--nesterov",
                            nesterov == null ? null : nesterov.toString(),
                            fromRun == null ? null : Boolean.toString(fromRun.nesterov()),
                            same == null ? "false" : Boolean.toString(same.nesterov()))),
                    setting(flags, "--beta1", beta1, fromRun, same, Optimizer::beta1, Optimizer.DEFAULT_BETA1),
                    setting(flags, "--beta2", beta2, fromRun, same, Optimizer::beta2, Optimizer.DEFAULT_BETA2),
                    setting(flags, "--eps", eps, fromRun, same, Optimizer::eps, Optimizer.DEFAULT_EPS),
                    setting(flags, "--weight-decay", weightDecay, fromRun, same, Optimizer::weightDecay, decayDefault));
        } catch (InputException e) {
            throw new InputException("the optimizer: " + e.getMessage());
        }
    }

    private static double setting(
            TrainOptions flags,
            String flag,
            Double given,
            Optimizer recorded,
            Optimizer base,
            ToDoubleFunction<Optimizer> get,
            double fallback) {
        return Double.parseDouble(flags.choose(
                flag,
                given == null ? null : given.toString(),
                recorded == null ? null : Double.toString(get.applyAsDouble(recorded)),
                base == null ? Double.toString(fallback) : Double.toString(get.applyAsDouble(base))));
    }

    /** The schedule: the flags, or on resume the checkpoint's run's, which they may not contradict. */
    LearningRateSchedule schedule(TrainOptions flags, LearningRateSchedule recorded) {
        LearningRateSchedule.Kind kind = LearningRateSchedule.Kind.parse(flags.choose(
                "--lr-schedule",
                schedule,
                recorded == null ? null : recorded.kind().id(),
                "constant"));
        boolean step = kind == LearningRateSchedule.Kind.STEP;
        boolean recordedStep = recorded != null && recorded.kind() == LearningRateSchedule.Kind.STEP;
        if (step && lrStep == null && !recordedStep) {
            throw new InputException("--lr-schedule step needs --lr-step N, the steps between two decays");
        }
        return new LearningRateSchedule(
                kind,
                step
                        ? Integer.parseInt(flags.choose(
                                "--lr-step",
                                lrStep == null ? null : lrStep.toString(),
                                recordedStep ? Integer.toString(recorded.stepSize()) : null,
                                "1"))
                        : 1,
                step
                        ? Double.parseDouble(flags.choose(
                                "--lr-gamma",
                                lrGamma == null ? null : lrGamma.toString(),
                                recordedStep ? Double.toString(recorded.gamma()) : null,
                                "0.1"))
                        : 1.0,
                Integer.parseInt(flags.choose(
                        "--warmup",
                        warmup == null ? null : warmup.toString(),
                        recorded == null ? null : Integer.toString(recorded.warmup()),
                        "0")));
    }
}

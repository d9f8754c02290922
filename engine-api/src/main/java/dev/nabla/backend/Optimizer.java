package dev.nabla.backend;

import dev.nabla.InputException;
import java.util.Locale;

/**
 * How a parameter tensor {@code p} is updated from its gradient {@code g}, in PyTorch's documented
 * form (the {@code torch.optim} pages), with learning rate {@code lr} and the step number
 * {@code t} (from 1) of the update:
 * <pre>
 *   sgd:    g = g + weightDecay p                           (L2, added to the gradient)
 *           with momentum mu > 0:  v = mu v + g  (v starts at 0, so v_1 = g)
 *                                  g = nesterov ? g + mu v : v
 *           p = p - lr g
 *   adam:   g = g + weightDecay p                           (L2, added to the gradient)
 *   adamw:  p = p - lr weightDecay p                        (decoupled weight decay)
 *   both:   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2     (m, v start at 0)
 *           p = p - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
 * </pre>
 * The state beside each parameter: none for plain SGD, the velocity {@code v} for SGD with
 * momentum ({@link #states()} 1), the moments {@code m} and {@code v} for Adam and AdamW (2). The
 * settings here are fixed for a run; what changes from step to step (the learning rate, the bias
 * corrections) is passed to {@link Backend#optimizerUpdate} in a small matrix on the backend
 * ({@link #stepScalars}), so that one recorded step serves every step.
 *
 * @param kind the update rule
 * @param momentum SGD's momentum, in [0, 1); 0 for Adam and AdamW
 * @param nesterov SGD's Nesterov momentum (needs momentum above 0)
 * @param beta1 Adam's first-moment decay, in [0, 1)
 * @param beta2 Adam's second-moment decay, in (0, 1)
 * @param eps Adam's term added to the denominator, positive
 * @param weightDecay 0 or more: L2 for SGD and Adam, decoupled for AdamW
 */
public record Optimizer(
        Kind kind, double momentum, boolean nesterov, double beta1, double beta2, double eps, double weightDecay) {

    /** The update rules. */
    public enum Kind {
        /** Stochastic gradient descent, with optional momentum (Nesterov's too) and L2 weight decay. */
        SGD,
        /** Adam, its weight decay added to the gradient as L2. */
        ADAM,
        /** AdamW: Adam with the weight decay applied to the parameter itself, decoupled from the gradient. */
        ADAMW;

        /** The name in model files and on the command line: {@code sgd}, {@code adam}, {@code adamw}. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses a name; an unknown one is an {@link InputException}. */
        public static Kind parse(String id) {
            for (Kind k : values()) {
                if (k.id().equals(id)) {
                    return k;
                }
            }
            throw new InputException("unknown optimizer '" + id + "' (known: sgd, adam, adamw)");
        }
    }

    /** Values in {@link #stepScalars}'s matrix: {@code 1 x STEP_SCALARS}. */
    public static final int STEP_SCALARS = 3;

    /** PyTorch's defaults for Adam: beta1 0.9, beta2 0.999, eps 1e-8. */
    public static final double DEFAULT_BETA1 = 0.9;

    /** PyTorch's default second-moment decay for Adam and AdamW. */
    public static final double DEFAULT_BETA2 = 0.999;
    /** PyTorch's default term added to Adam's denominator. */
    public static final double DEFAULT_EPS = 1e-8;
    /** PyTorch's default weight decay for AdamW (0 for SGD and Adam). */
    public static final double DEFAULT_ADAMW_WEIGHT_DECAY = 0.01;

    /** Plain SGD: {@code p = p - lr g}. */
    public static final Optimizer SGD = sgd(0.0, false, 0.0);

    /** Checks every setting; a value out of its range is an {@link InputException} naming it. */
    public Optimizer {
        if (kind == null) {
            throw new IllegalArgumentException("optimizer kind is null");
        }
        if (!(momentum >= 0.0 && momentum < 1.0)) {
            throw new InputException("momentum must be in [0, 1), not " + momentum);
        }
        if (kind != Kind.SGD && momentum != 0.0) {
            throw new InputException("momentum is an SGD setting; " + kind.id() + " has beta1 instead");
        }
        if (nesterov && (kind != Kind.SGD || momentum == 0.0)) {
            throw new InputException("Nesterov momentum needs sgd with a momentum above 0");
        }
        if (!(beta1 >= 0.0 && beta1 < 1.0)) {
            throw new InputException("beta1 must be in [0, 1), not " + beta1);
        }
        if (!(beta2 > 0.0 && beta2 < 1.0)) {
            throw new InputException("beta2 must be in (0, 1), not " + beta2);
        }
        if (!(eps > 0.0) || !Double.isFinite(eps)) {
            throw new InputException("eps must be a positive finite number, not " + eps);
        }
        if (!(weightDecay >= 0.0) || !Double.isFinite(weightDecay)) {
            throw new InputException("weight decay must be 0 or a positive finite number, not " + weightDecay);
        }
    }

    /** SGD, with momentum {@code 0} for none. */
    public static Optimizer sgd(double momentum, boolean nesterov, double weightDecay) {
        return new Optimizer(Kind.SGD, momentum, nesterov, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS, weightDecay);
    }

    /** Adam, with L2 weight decay (0 for none). */
    public static Optimizer adam(double beta1, double beta2, double eps, double weightDecay) {
        return new Optimizer(Kind.ADAM, 0.0, false, beta1, beta2, eps, weightDecay);
    }

    /** AdamW: Adam with decoupled weight decay. */
    public static Optimizer adamw(double beta1, double beta2, double eps, double weightDecay) {
        return new Optimizer(Kind.ADAMW, 0.0, false, beta1, beta2, eps, weightDecay);
    }

    /** State tensors beside each parameter: 0 (plain SGD), 1 (SGD's velocity) or 2 (Adam's two moments). */
    public int states() {
        return switch (kind) {
            case SGD -> momentum > 0.0 ? 1 : 0;
            case ADAM, ADAMW -> 2;
        };
    }

    /** The names of the states, as checkpoints name their tensors: {@code momentum}, or {@code exp_avg} and {@code exp_avg_sq}. */
    public String[] stateNames() {
        return switch (states()) {
            case 0 -> new String[0];
            case 1 -> new String[] {"momentum"};
            default -> new String[] {"exp_avg", "exp_avg_sq"};
        };
    }

    /**
     * The step's scalars, as {@link Backend#optimizerUpdate} reads them from a {@code 1 x 3} matrix:
     * {@code out[0] = lr}, {@code out[1] = 1 - beta1^t}, {@code out[2] = 1 - beta2^t}, in double.
     *
     * @param step {@code t}, the number of this update from 1
     */
    public void stepScalars(double lr, long step, double[] out) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive finite number, not " + lr);
        }
        if (step < 1) {
            throw new IllegalArgumentException("an optimizer's steps count from 1, not " + step);
        }
        out[0] = lr;
        out[1] = 1.0 - Math.pow(beta1, step);
        out[2] = 1.0 - Math.pow(beta2, step);
    }

    /** {@code "adam (beta1 0.9, beta2 0.999, eps 1e-08)"}: the rule and the settings it uses. */
    public String describe() {
        StringBuilder sb = new StringBuilder(kind.id());
        String sep = " (";
        if (kind == Kind.SGD) {
            if (momentum > 0.0) {
                sb.append(sep)
                        .append(nesterov ? "Nesterov momentum " : "momentum ")
                        .append(momentum);
                sep = ", ";
            }
        } else {
            sb.append(sep)
                    .append("beta1 ")
                    .append(beta1)
                    .append(", beta2 ")
                    .append(beta2)
                    .append(", eps ")
                    .append(eps);
            sep = ", ";
        }
        if (weightDecay > 0.0) {
            sb.append(sep).append("weight decay ").append(weightDecay);
            sep = ", ";
        }
        return sep.equals(", ") ? sb.append(')').toString() : sb.toString();
    }
}

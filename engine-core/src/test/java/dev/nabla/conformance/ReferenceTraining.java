package dev.nabla.conformance;

import dev.nabla.model.Layer;
import dev.nabla.model.Network;

/**
 * An independent, deliberately plain trainer for the optimizer tests: one sample at a time,
 * weights as {@code w[layer][unit][input]}, the three losses written out per sample, and the
 * update rules typed in from PyTorch's documentation ({@code torch.optim.SGD}, {@code Adam},
 * {@code AdamW}), each parameter one scalar at a time. It shares nothing with the engine but
 * the initial weights it copies and the settings it is given as plain numbers.
 */
public final class ReferenceTraining {
    /** The update rule and its settings, as plain numbers. */
    public record Rule(
            String name,
            double momentum,
            boolean nesterov,
            double beta1,
            double beta2,
            double eps,
            double weightDecay) {}

    private final int depth;
    private final String[] act;
    private final String loss;
    private final Rule rule;
    private final double[][][] w;
    private final double[][] b;
    /** SGD's momentum buffers, or Adam's first moments; then Adam's second moments. */
    private final double[][][] mw;

    private final double[][] mb;
    private final double[][][] vw;
    private final double[][] vb;
    private int t;

    public ReferenceTraining(Network net, Rule rule) {
        this.rule = rule;
        depth = net.depth();
        loss = net.loss().id();
        act = new String[depth];
        w = new double[depth][][];
        b = new double[depth][];
        mw = new double[depth][][];
        vw = new double[depth][][];
        mb = new double[depth][];
        vb = new double[depth][];
        for (int l = 0; l < depth; l++) {
            Layer layer = net.layer(l);
            act[l] = layer.activation().id();
            w[l] = new double[layer.outputs()][layer.inputs()];
            mw[l] = new double[layer.outputs()][layer.inputs()];
            vw[l] = new double[layer.outputs()][layer.inputs()];
            for (int j = 0; j < layer.outputs(); j++) {
                for (int i = 0; i < layer.inputs(); i++) {
                    w[l][j][i] = layer.weight(j, i);
                }
            }
            b[l] = layer.bias();
            mb[l] = new double[layer.outputs()];
            vb[l] = new double[layer.outputs()];
        }
    }

    /** Pre-activations {@code z[l+1]} and activations {@code a[l+1]} of every layer; {@code a[0]} is the input. */
    private double[][][] forward(double[] x) {
        double[][] z = new double[depth + 1][];
        double[][] a = new double[depth + 1][];
        a[0] = x;
        for (int l = 0; l < depth; l++) {
            z[l + 1] = new double[w[l].length];
            a[l + 1] = new double[w[l].length];
            for (int j = 0; j < w[l].length; j++) {
                double s = b[l] == null ? 0 : b[l][j];
                for (int i = 0; i < a[l].length; i++) {
                    s += w[l][j][i] * a[l][i];
                }
                z[l + 1][j] = s;
            }
            if (act[l].equals("softmax")) {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : z[l + 1]) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (int j = 0; j < z[l + 1].length; j++) {
                    a[l + 1][j] = Math.exp(z[l + 1][j] - max);
                    sum += a[l + 1][j];
                }
                for (int j = 0; j < z[l + 1].length; j++) {
                    a[l + 1][j] /= sum;
                }
            } else {
                for (int j = 0; j < z[l + 1].length; j++) {
                    a[l + 1][j] = Reference.activate(act[l], z[l + 1][j]);
                }
            }
        }
        return new double[][][] {z, a};
    }

    /** The sample's loss: mse, or the cross-entropy of the output's probabilities. */
    private double sampleLoss(double[] o, double[] t) {
        double sum = 0;
        for (int k = 0; k < o.length; k++) {
            switch (loss) {
                case "mse" -> sum += 0.5 * (t[k] - o[k]) * (t[k] - o[k]);
                case "softmax-cross-entropy" -> sum -= t[k] * Math.log(o[k]);
                case "binary-cross-entropy" -> sum -= t[k] * Math.log(o[k]) + (1 - t[k]) * Math.log(1 - o[k]);
                default -> throw new IllegalArgumentException(loss);
            }
        }
        return sum;
    }

    /** One step on the batch; returns the batch's mean loss before it. */
    public double step(double[][] xs, double[][] ts, double lr) {
        double[][][] gw = new double[depth][][];
        double[][] gb = new double[depth][];
        for (int l = 0; l < depth; l++) {
            gw[l] = new double[w[l].length][w[l][0].length];
            gb[l] = new double[w[l].length];
        }
        double total = 0;
        for (int s = 0; s < xs.length; s++) {
            double[][][] za = forward(xs[s]);
            double[][] a = za[1];
            total += sampleLoss(a[depth], ts[s]);
            // dL/dz of the output layer: the cross-entropies' (p - t), or mse's (o - t) f'(o).
            double[] dz = new double[a[depth].length];
            for (int k = 0; k < dz.length; k++) {
                double diff = a[depth][k] - ts[s][k];
                dz[k] = loss.equals("mse") ? diff * Reference.derivative(act[depth - 1], a[depth][k]) : diff;
            }
            for (int l = depth - 1; l >= 0; l--) {
                double[] dPrev = new double[a[l].length];
                for (int j = 0; j < dz.length; j++) {
                    gb[l][j] += dz[j];
                    for (int i = 0; i < a[l].length; i++) {
                        gw[l][j][i] += dz[j] * a[l][i];
                        dPrev[i] += w[l][j][i] * dz[j];
                    }
                }
                if (l > 0) {
                    double[] below = new double[dPrev.length];
                    for (int i = 0; i < dPrev.length; i++) {
                        below[i] = dPrev[i] * Reference.derivative(act[l - 1], a[l][i]);
                    }
                    dz = below;
                }
            }
        }
        t++;
        for (int l = 0; l < depth; l++) {
            for (int j = 0; j < w[l].length; j++) {
                for (int i = 0; i < w[l][j].length; i++) {
                    double[] p = {w[l][j][i], mw[l][j][i], vw[l][j][i]};
                    update(p, gw[l][j][i] / xs.length, lr);
                    w[l][j][i] = p[0];
                    mw[l][j][i] = p[1];
                    vw[l][j][i] = p[2];
                }
                if (b[l] != null) {
                    double[] p = {b[l][j], mb[l][j], vb[l][j]};
                    update(p, gb[l][j] / xs.length, lr);
                    b[l][j] = p[0];
                    mb[l][j] = p[1];
                    vb[l][j] = p[2];
                }
            }
        }
        return total / xs.length;
    }

    /**
     * One parameter {@code p[0]} with its states {@code p[1]} (momentum buffer, or Adam's m) and
     * {@code p[2]} (Adam's v), updated from its gradient {@code g} as the PyTorch pages write it.
     */
    private void update(double[] p, double g, double lr) {
        double theta = p[0];
        switch (rule.name()) {
            case "sgd" -> {
                if (rule.weightDecay() != 0) {
                    g = g + rule.weightDecay() * theta;
                }
                if (rule.momentum() != 0) {
                    double buf = t > 1 ? rule.momentum() * p[1] + g : g;
                    p[1] = buf;
                    g = rule.nesterov() ? g + rule.momentum() * buf : buf;
                }
                p[0] = theta - lr * g;
            }
            case "adam", "adamw" -> {
                if (rule.name().equals("adamw")) {
                    theta = theta - lr * rule.weightDecay() * theta;
                } else if (rule.weightDecay() != 0) {
                    g = g + rule.weightDecay() * theta;
                }
                double m = rule.beta1() * p[1] + (1 - rule.beta1()) * g;
                double v = rule.beta2() * p[2] + (1 - rule.beta2()) * g * g;
                double mHat = m / (1 - Math.pow(rule.beta1(), t));
                double vHat = v / (1 - Math.pow(rule.beta2(), t));
                p[0] = theta - lr * mHat / (Math.sqrt(vHat) + rule.eps());
                p[1] = m;
                p[2] = v;
            }
            default -> throw new IllegalArgumentException(rule.name());
        }
    }

    /** Layer {@code l}'s weights, row-major {@code O x I}. */
    public double[] weights(int l) {
        return Reference.rowMajor(w[l]);
    }

    /** Layer {@code l}'s bias, or {@code null}. */
    public double[] bias(int l) {
        return b[l] == null ? null : b[l].clone();
    }
}

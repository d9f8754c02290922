package dev.nabla.conformance;

import dev.nabla.model.Layer;
import dev.nabla.model.Network;

/**
 * An independent, deliberately plain implementation of the training math: one sample at a time,
 * weights as {@code w[layer][unit][input]}, gradients summed over the batch and divided by its
 * size, then one SGD step. It shares nothing with the engine but the initial weights it copies.
 */
public final class ReferenceMlp {
    private final int depth;
    private final String[] act;
    private final double[][][] w;
    private final double[][] b;

    public ReferenceMlp(Network net) {
        depth = net.depth();
        act = new String[depth];
        w = new double[depth][][];
        b = new double[depth][];
        for (int l = 0; l < depth; l++) {
            Layer layer = net.layer(l);
            act[l] = layer.activation().id();
            w[l] = new double[layer.outputs()][layer.inputs()];
            for (int j = 0; j < layer.outputs(); j++) {
                for (int i = 0; i < layer.inputs(); i++) {
                    w[l][j][i] = layer.weight(j, i);
                }
            }
            b[l] = layer.bias();
        }
    }

    /** Activations of every layer for one sample; {@code a[0]} is the input. */
    private double[][] forward(double[] x) {
        double[][] a = new double[depth + 1][];
        a[0] = x;
        for (int l = 0; l < depth; l++) {
            a[l + 1] = new double[w[l].length];
            for (int j = 0; j < w[l].length; j++) {
                double z = b[l] == null ? 0 : b[l][j];
                for (int i = 0; i < a[l].length; i++) {
                    z += w[l][j][i] * a[l][i];
                }
                a[l + 1][j] = Reference.activate(act[l], z);
            }
        }
        return a;
    }

    /** The network's outputs for every sample, row-major: {@code B x O}. */
    public double[] outputs(double[][] xs) {
        double[] out = new double[xs.length * w[depth - 1].length];
        for (int s = 0; s < xs.length; s++) {
            double[] o = forward(xs[s])[depth];
            System.arraycopy(o, 0, out, s * o.length, o.length);
        }
        return out;
    }

    /** Mean over samples of {@code sum_k 1/2 (t_k - o_k)^2}. */
    public double loss(double[][] xs, double[][] ts) {
        double sum = 0;
        for (int s = 0; s < xs.length; s++) {
            double[] o = forward(xs[s])[depth];
            for (int k = 0; k < o.length; k++) {
                sum += 0.5 * (ts[s][k] - o[k]) * (ts[s][k] - o[k]);
            }
        }
        return sum / xs.length;
    }

    /**
     * The gradients of the batch's summed loss (not yet divided by the batch size): per layer the
     * weight gradient, row-major {@code O x I}, then the bias gradient ({@code O}), whether or not the layer has a bias.
     */
    public double[][] summedGradients(double[][] xs, double[][] ts) {
        double[][][] gw = new double[depth][][];
        double[][] gb = new double[depth][];
        for (int l = 0; l < depth; l++) {
            gw[l] = new double[w[l].length][w[l][0].length];
            gb[l] = new double[w[l].length];
        }
        for (int s = 0; s < xs.length; s++) {
            double[][] a = forward(xs[s]);
            double[] dA = new double[a[depth].length];
            for (int k = 0; k < dA.length; k++) {
                dA[k] = a[depth][k] - ts[s][k];
            }
            for (int l = depth - 1; l >= 0; l--) {
                double[] dz = new double[w[l].length];
                double[] dPrev = new double[a[l].length];
                for (int j = 0; j < dz.length; j++) {
                    dz[j] = dA[j] * Reference.derivative(act[l], a[l + 1][j]);
                    gb[l][j] += dz[j];
                    for (int i = 0; i < a[l].length; i++) {
                        gw[l][j][i] += dz[j] * a[l][i];
                        dPrev[i] += w[l][j][i] * dz[j];
                    }
                }
                dA = dPrev;
            }
        }
        double[][] out = new double[2 * depth][];
        for (int l = 0; l < depth; l++) {
            int in = w[l][0].length;
            out[2 * l] = new double[w[l].length * in];
            for (int j = 0; j < w[l].length; j++) {
                System.arraycopy(gw[l][j], 0, out[2 * l], j * in, in);
            }
            out[2 * l + 1] = gb[l];
        }
        return out;
    }

    /** One SGD step on the batch; returns the loss before it. */
    public double step(double[][] xs, double[][] ts, double lr) {
        double loss = loss(xs, ts);
        double[][] g = summedGradients(xs, ts);
        for (int l = 0; l < depth; l++) {
            int in = w[l][0].length;
            for (int j = 0; j < w[l].length; j++) {
                for (int i = 0; i < in; i++) {
                    w[l][j][i] -= lr * g[2 * l][j * in + i] / xs.length;
                }
                if (b[l] != null) {
                    b[l][j] -= lr * g[2 * l + 1][j] / xs.length;
                }
            }
        }
        return loss;
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

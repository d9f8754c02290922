package dev.nabla.conformance;

/**
 * The naive twin of every backend operation: the math written out as directly as it can be, in
 * double precision, on row-major arrays. Backends are tested against it.
 */
public final class Reference {
    /** {@code rows[j][i]} as one row-major array: a plain trainer's weights as the engine lays them out. */
    public static double[] rowMajor(double[][] rows) {
        double[] out = new double[rows.length * rows[0].length];
        for (int j = 0; j < rows.length; j++) {
            System.arraycopy(rows[j], 0, out, j * rows[0].length, rows[0].length);
        }
        return out;
    }

    private Reference() {}

    /** Element {@code (i, p)} of {@code op(x)} for a stored {@code rows x cols} matrix. */
    private static double op(double[] x, int cols, boolean trans, int i, int p) {
        return trans ? x[p * cols + i] : x[i * cols + p];
    }

    /**
     * {@code c = alpha op(a) op(b) + beta c}, {@code op(a)} {@code m x k}, {@code op(b)} {@code k x n};
     * also returns, per element, {@code sum_p |op(a)_ip op(b)_pj|}, the scale of its rounding error.
     */
    public static double[][] gemm(
            boolean ta,
            boolean tb,
            int m,
            int n,
            int k,
            double alpha,
            double[] a,
            double[] b,
            double beta,
            double[] c) {
        int colsA = ta ? m : k;
        int colsB = tb ? k : n;
        double[] out = new double[m * n];
        double[] scale = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double abs = 0;
                for (int p = 0; p < k; p++) {
                    double prod = op(a, colsA, ta, i, p) * op(b, colsB, tb, p, j);
                    s += prod;
                    abs += Math.abs(prod);
                }
                out[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * n + j]);
                scale[i * n + j] = Math.abs(alpha) * abs + Math.abs(beta * (beta == 0 ? 0 : c[i * n + j]));
            }
        }
        return new double[][] {out, scale};
    }

    public static double activate(String f, double z) {
        switch (f) {
            case "sigmoid":
                return 1 / (1 + Math.exp(-z));
            case "tanh":
                return Math.tanh(z);
            case "relu":
                return Math.max(0, z);
            case "identity":
                return z;
            default:
                throw new IllegalArgumentException(f);
        }
    }

    /** {@code f'(z)} expressed through {@code a = f(z)}. */
    public static double derivative(String f, double a) {
        switch (f) {
            case "sigmoid":
                return a * (1 - a);
            case "tanh":
                return 1 - a * a;
            case "relu":
                return a > 0 ? 1 : 0;
            case "identity":
                return 1;
            default:
                throw new IllegalArgumentException(f);
        }
    }

    /** Returns {@code {loss}} and fills {@code delta = (o - t) / count}. */
    public static double mse(double[] o, double[] t, int count, double[] delta) {
        double sum = 0;
        for (int i = 0; i < o.length; i++) {
            sum += 0.5 * (t[i] - o[i]) * (t[i] - o[i]);
            delta[i] = (o[i] - t[i]) / count;
        }
        return sum / count;
    }

    public static double[] addBias(double[] z, double[] bias, int rows, int cols) {
        double[] out = z.clone();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                out[r * cols + j] += bias[j];
            }
        }
        return out;
    }

    public static double[] columnSums(double[] d, int rows, int cols) {
        double[] out = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                out[j] += d[r * cols + j];
            }
        }
        return out;
    }

    /** {@code softmax} of each row: {@code exp(z_k - m) / sum_j exp(z_j - m)}, {@code m} the row's largest value. */
    public static double[] softmax(double[] z, int rows, int cols) {
        double[] out = new double[z.length];
        for (int r = 0; r < rows; r++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < cols; k++) {
                m = Math.max(m, z[r * cols + k]);
            }
            double s = 0;
            for (int k = 0; k < cols; k++) {
                s += Math.exp(z[r * cols + k] - m);
            }
            for (int k = 0; k < cols; k++) {
                out[r * cols + k] = Math.exp(z[r * cols + k] - m) / s;
            }
        }
        return out;
    }

    /** What {@link #logitLoss} gives: the loss, the rows right, and the scales of their rounding. */
    public record LogitLossResult(double loss, int right, double lossScale, double[] delta, double[] deltaScale) {}

    /**
     * A logit loss, per sample as {@link dev.nabla.backend.LogitLoss} defines it, summed over the
     * rows and divided by {@code count}: softmax cross-entropy as {@code -sum_k t_k log p_k} with
     * {@code log p_k = (z_k - m) - log sum_j exp(z_j - m)}; binary cross-entropy as
     * {@code (1 - t) z + log(1 + exp(-z))} for {@code z >= 0} and {@code -t z + log(1 + exp(z))}
     * below, its gradient {@code sigmoid(z) - t}. The scales are the sums of the magnitudes of each
     * result's terms, what its rounding grows with.
     */
    public static LogitLossResult logitLoss(boolean softmax, double[] z, double[] t, int rows, int cols, int count) {
        double loss = 0;
        double lossScale = 0;
        int right = 0;
        double[] delta = new double[z.length];
        double[] deltaScale = new double[z.length];
        double[] p = softmax ? softmax(z, rows, cols) : null;
        for (int r = 0; r < rows; r++) {
            int at = r * cols;
            if (softmax) {
                double m = Double.NEGATIVE_INFINITY;
                double targets = 0;
                for (int k = 0; k < cols; k++) {
                    m = Math.max(m, z[at + k]);
                    targets += t[at + k];
                }
                double s = 0;
                for (int k = 0; k < cols; k++) {
                    s += Math.exp(z[at + k] - m);
                }
                for (int k = 0; k < cols; k++) {
                    double logP = (z[at + k] - m) - Math.log(s);
                    loss -= t[at + k] * logP;
                    lossScale += Math.abs(t[at + k]) * (Math.abs(z[at + k] - m) + Math.abs(Math.log(s)));
                    delta[at + k] = (p[at + k] * targets - t[at + k]) / count;
                    deltaScale[at + k] = (Math.abs(p[at + k] * targets) + Math.abs(t[at + k])) / count;
                }
                right += argmax(z, at, cols) == argmax(t, at, cols) ? 1 : 0;
            } else {
                boolean all = true;
                for (int k = 0; k < cols; k++) {
                    double zk = z[at + k];
                    double tk = t[at + k];
                    double term =
                            zk >= 0 ? (1 - tk) * zk + Math.log1p(Math.exp(-zk)) : -tk * zk + Math.log1p(Math.exp(zk));
                    loss += term;
                    lossScale += Math.abs(zk) + Math.abs(zk * tk) + Math.log(2);
                    double o = activate("sigmoid", zk);
                    delta[at + k] = (o - tk) / count;
                    deltaScale[at + k] = (o + Math.abs(tk)) / count;
                    all &= (zk > 0) == (tk > 0.5);
                }
                right += all ? 1 : 0;
            }
        }
        return new LogitLossResult(loss / count, right, lossScale / count, delta, deltaScale);
    }

    /** The first index of the row's largest value. */
    public static int argmax(double[] x, int at, int cols) {
        int best = 0;
        for (int k = 1; k < cols; k++) {
            if (x[at + k] > x[at + best]) {
                best = k;
            }
        }
        return best;
    }
}

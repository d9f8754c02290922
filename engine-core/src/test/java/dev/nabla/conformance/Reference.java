package dev.nabla.conformance;

/**
 * The naive twin of every backend operation: the math written out as directly as it can be, in
 * double precision, on row-major arrays. Backends are tested against it.
 */
public final class Reference {
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
}

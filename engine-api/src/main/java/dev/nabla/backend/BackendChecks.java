package dev.nabla.backend;

import java.util.List;
import java.util.Objects;

/**
 * The argument checks of {@link Backend}'s public operations, written once for every backend:
 * each throws an {@link IllegalArgumentException} that names the operation and the shapes. A
 * backend's {@code do...} methods may then assume that the shapes fit.
 */
final class BackendChecks {
    private BackendChecks() {}

    /** {@code m}, after checking that it is not null and belongs to {@code backend}. */
    static Matrix owned(Backend backend, Matrix m, String role) {
        Objects.requireNonNull(m, role);
        if (m.backend() != backend) {
            throw new IllegalArgumentException(role + " belongs to another backend (" + m + ")");
        }
        return m;
    }

    /** An array of {@code length} holds {@code m}'s elements from {@code offset}. */
    static void hostRange(String op, int length, int offset, Matrix m) {
        if (offset < 0 || offset > length || length - offset < m.size()) {
            throw new IllegalArgumentException(op + ": a " + m.shape() + " matrix needs " + m.size()
                    + " elements from offset " + offset + ", but the array holds " + length);
        }
    }

    static void sameShape(String op, Matrix x, Matrix y) {
        if (x.rows() != y.rows() || x.cols() != y.cols()) {
            throw new IllegalArgumentException(op + ": shapes differ, " + x.shape() + " and " + y.shape());
        }
    }

    /** {@code vector} is {@code 1 x m.cols()}. */
    static void rowVector(String op, Matrix vector, Matrix m) {
        if (vector.rows() != 1 || vector.cols() != m.cols()) {
            throw new IllegalArgumentException(op + ": expected a 1x" + m.cols() + " row vector for a " + m.shape()
                    + " matrix, not " + vector.shape());
        }
    }

    /** {@code loss} is {@code 1 x 1}. */
    static void scalar(String op, Matrix loss) {
        if (loss.rows() != 1 || loss.cols() != 1) {
            throw new IllegalArgumentException(op + ": loss must be 1x1, not " + loss.shape());
        }
    }

    static void finite(String op, String what, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(op + ": " + what + " " + value + " is not finite");
        }
    }

    /** {@code c = op(a) op(b)} fits: the inner dimensions agree, {@code c} has the product's shape and is neither operand. */
    static void gemm(boolean transA, boolean transB, Matrix a, Matrix b, Matrix c) {
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (k != kb) {
            throw new IllegalArgumentException(
                    "gemm: op(a) is " + m + "x" + k + " but op(b) is " + kb + "x" + n + ": inner dimensions differ");
        }
        if (c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("gemm: op(a) op(b) is " + m + "x" + n + " but c is " + c.shape());
        }
        if (c == a || c == b) {
            throw new IllegalArgumentException("gemm: c must not be one of its operands");
        }
    }

    /** The layers chain from {@code x}'s width, {@code t} fits the last, and every matrix is {@code backend}'s. */
    static void network(
            Backend backend, List<LayerParameters> layers, Matrix x, Matrix t, int count, double beta, Matrix loss) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("networkGradients: no layers");
        }
        int width = owned(backend, x, "x").cols();
        for (int l = 0; l < layers.size(); l++) {
            LayerParameters p = layers.get(l);
            owned(backend, p.weights(), "weights");
            sameShape("networkGradients", p.weights(), owned(backend, p.weightGrad(), "weightGrad"));
            if (p.inputs() != width) {
                throw new IllegalArgumentException("networkGradients: layer " + (l + 1) + " takes " + p.inputs()
                        + " inputs but receives " + width);
            }
            if (p.bias() != null) {
                if (owned(backend, p.bias(), "bias").rows() != 1 || p.bias().cols() != p.outputs()) {
                    throw new IllegalArgumentException("networkGradients: layer " + (l + 1) + " needs a 1x"
                            + p.outputs() + " bias, not " + p.bias().shape());
                }
                sameShape("networkGradients", p.bias(), owned(backend, p.biasGrad(), "biasGrad"));
            }
            width = p.outputs();
        }
        if (owned(backend, t, "t").rows() != x.rows() || t.cols() != width) {
            throw new IllegalArgumentException(
                    "networkGradients: targets are " + t.shape() + " but the batch needs " + x.rows() + "x" + width);
        }
        scalar("networkGradients", owned(backend, loss, "loss"));
        if (count < 1 || !Double.isFinite(beta)) {
            throw new IllegalArgumentException(
                    "networkGradients: count " + count + " and beta " + beta + " must be at least 1 and finite");
        }
    }
}

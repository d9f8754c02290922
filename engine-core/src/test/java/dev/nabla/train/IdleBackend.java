package dev.nabla.train;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;

/**
 * A backend for tests of the trainer's own code: every operation is accepted and computes
 * nothing, and its matrices are shapes without storage. A test overrides what it measures (its
 * memory, whether it fuses a network).
 */
class IdleBackend extends Backend {
    private final Precision precision;

    IdleBackend(Precision precision) {
        this.precision = precision;
    }

    @Override
    public String name() {
        return "idle";
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public String description() {
        return "computes nothing";
    }

    @Override
    protected Matrix doAllocate(int rows, int cols) {
        return new Shape(this, rows, cols);
    }

    @Override
    protected void doUpload(double[] src, int offset, Matrix dst) {}

    @Override
    protected void doUpload(float[] src, int offset, Matrix dst) {}

    @Override
    protected void doDownload(Matrix src, double[] dst, int offset) {}

    @Override
    protected void doDownload(Matrix src, float[] dst, int offset) {}

    @Override
    protected void doGemm(boolean transA, boolean transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {}

    @Override
    protected void doActivationForward(Activation f, Matrix z, Matrix a) {}

    @Override
    protected void doActivationBackward(Activation f, Matrix a, Matrix g, Matrix delta) {}

    @Override
    protected void doMseLoss(Matrix output, Matrix target, int count, Matrix delta, double beta, Matrix loss) {}

    @Override
    protected void doAddBias(Matrix bias, Matrix z) {}

    @Override
    protected void doBiasGradient(Matrix delta, double beta, Matrix grad) {}

    @Override
    protected void doLogitLoss(
            LogitLoss kind, Matrix z, Matrix target, int count, Matrix delta, double beta, Matrix loss) {}

    @Override
    protected void doOptimizerUpdate(
            Optimizer rule, Matrix scalars, Matrix grad, Matrix param, Matrix first, Matrix second) {}

    @Override
    protected void doClose() {}

    /** A matrix of a shape, holding nothing. */
    private static final class Shape extends Matrix {
        Shape(Backend backend, int rows, int cols) {
            super(backend, rows, cols);
        }

        @Override
        protected Matrix view(int n) {
            return new Shape(backend(), n, cols());
        }

        @Override
        public void close() {}
    }
}

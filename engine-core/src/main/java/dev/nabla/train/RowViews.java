package dev.nabla.train;

import dev.nabla.backend.Matrix;

/**
 * A matrix sized for the trainer's largest micro-batch, and the view of its first rows that a
 * shorter batch uses. The view is kept, so a step of the same size as the one before allocates
 * nothing; a training run has one batch size and at most one shorter last batch.
 */
final class RowViews {
    private final Matrix whole;
    private Matrix view;

    RowViews(Matrix whole) {
        this.whole = whole;
    }

    /** Rows {@code 0 .. rows - 1}: the matrix itself when that is all of it. */
    Matrix first(int rows) {
        if (rows == whole.rows()) {
            return whole;
        }
        if (view == null || view.rows() != rows) {
            view = whole.topRows(rows);
        }
        return view;
    }
}

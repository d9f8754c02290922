package dev.nabla.train;

import dev.nabla.backend.Matrix;

/**
 * A matrix sized for the trainer's largest micro-batch, and the views of its first rows that
 * shorter batches use. The views are kept (the {@value #KEPT} latest sizes), so a step of a size
 * seen before allocates nothing: a run has one batch size, a shorter last batch, and with
 * micro-batches a shorter last micro-batch of each.
 */
final class RowViews {
    private static final int KEPT = 4;
    private final Matrix whole;
    private final Matrix[] views = new Matrix[KEPT];
    private int next;

    RowViews(Matrix whole) {
        this.whole = whole;
    }

    /** Rows {@code 0 .. rows - 1}: the matrix itself when that is all of it. */
    Matrix first(int rows) {
        if (rows == whole.rows()) {
            return whole;
        }
        for (Matrix v : views) {
            if (v != null && v.rows() == rows) {
                return v;
            }
        }
        Matrix v = whole.topRows(rows);
        views[next] = v;
        next = (next + 1) % KEPT;
        return v;
    }
}

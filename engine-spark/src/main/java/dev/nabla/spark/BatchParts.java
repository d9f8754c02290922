package dev.nabla.spark;

/**
 * How a global batch is cut among partitions. Batch {@code k} of an epoch is the samples at
 * positions {@code first .. first + rows - 1} of the epoch's order (file order, or the seed's
 * permutation with shuffling), exactly as one machine's {@code TrainingLoop} takes them; partition
 * {@code p} of {@code P} takes the contiguous positions {@code first + floor(p * rows / P)} up to
 * {@code first + floor((p + 1) * rows / P)}, so the parts are in partition order, their sizes
 * differ by at most one, and a partition has none when the batch has fewer rows than there are
 * partitions.
 */
final class BatchParts {
    private BatchParts() {}

    /** The first position of part {@code p} of {@code parts}, counted from the batch's first sample. */
    static int start(int rows, int parts, int p) {
        return (int) ((long) rows * p / parts);
    }

    /** The rows of part {@code p} of {@code parts}. */
    static int rows(int rows, int parts, int p) {
        return start(rows, parts, p + 1) - start(rows, parts, p);
    }

    /** The part of {@code parts} that position {@code within} (from 0) of a batch of {@code rows} falls in. */
    static int partOf(int rows, int parts, int within) {
        // the largest p with floor(p * rows / parts) <= within: p < (within + 1) * parts / rows
        return (int) (((long) (within + 1) * parts + rows - 1) / rows) - 1;
    }
}

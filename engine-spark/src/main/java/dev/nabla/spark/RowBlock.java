package dev.nabla.spark;

import dev.nabla.data.Dataset;
import dev.nabla.data.InputScaling;
import dev.nabla.data.Samples;
import java.util.Arrays;

/**
 * One partition's rows of one epoch of a CSV run ({@link CsvRanges}): the samples at the
 * epoch positions {@code positions} (increasing), row-major. Its part of every batch is a run of
 * consecutive rows here.
 */
record RowBlock(int partition, int[] positions, int inputWidth, int targetWidth, double[] inputs, double[] targets)
        implements StepInput {
    /** The row of epoch position {@code position}, which must be in this block. */
    int rowOf(int position) {
        int i = Arrays.binarySearch(positions, position);
        if (i < 0) {
            throw new IllegalStateException(
                    "epoch position " + position + " is not among partition " + partition + "'s rows");
        }
        return i;
    }

    /** The rows as samples, standardized by {@code scaling} where it is not null; the block must hold rows. */
    Samples samples(String name, InputScaling scaling) {
        Samples s = new Dataset(name, positions.length, inputWidth, targetWidth, inputs, targets);
        return scaling == null ? s : scaling.apply(s);
    }
}

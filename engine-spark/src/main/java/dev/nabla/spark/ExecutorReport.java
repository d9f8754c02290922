package dev.nabla.spark;

import java.io.Serializable;

/**
 * What one partition found where it ran, before the first step: its executor and host, the
 * backend its executor opened ({@code Backends.select}'s summary, with what it skipped and why),
 * and the samples and widths of the data as it opened it; or, where its data or backend could not
 * be opened for a reason the user can fix, that reason ({@code problem}, null when all is well).
 */
public record ExecutorReport(
        int partition,
        String executor,
        String host,
        String backend,
        int samples,
        int inputWidth,
        int targetWidth,
        String problem)
        implements Serializable {}

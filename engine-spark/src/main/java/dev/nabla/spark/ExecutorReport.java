package dev.nabla.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * What one partition found where it ran, before the first step: its executor and host, the
 * backend its executor opened ({@code Backends.select}'s summary, with what it skipped and why),
 * and the samples and widths of the data as it opened it (0 for a CSV file, which the executors
 * parse between them, {@code CsvRanges}, rather than each opening it); or, where its data or backend could not
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
        implements Serializable {

    /**
     * A line per run of consecutive partitions on one executor with one backend, in partition
     * order: {@code partitions 0-3: executor 1 on host-a, cpu fp64 (...)}.
     */
    public static List<String> lines(List<ExecutorReport> reports) {
        List<String> lines = new ArrayList<>();
        int first = 0;
        for (int q = 1; q <= reports.size(); q++) {
            ExecutorReport a = reports.get(first);
            if (q < reports.size() && a.sameWorker(reports.get(q))) {
                continue;
            }
            int last = q - 1;
            String which = last == first
                    ? "partition " + first
                    : "partitions " + first + (last == first + 1 ? ", " : "-") + last;
            lines.add(which + ": executor " + a.executor() + " on " + a.host() + ", " + a.backend());
            first = q;
        }
        return lines;
    }

    private boolean sameWorker(ExecutorReport b) {
        return executor.equals(b.executor) && host.equals(b.host) && backend.equals(b.backend);
    }
}

package dev.nabla.spark;

import dev.nabla.InputException;
import dev.nabla.data.CsvRows;
import dev.nabla.data.CsvTable;
import dev.nabla.data.HeldOutSplit;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * A CSV file parsed once among the executors and kept in Spark's cache, then moved to the step
 * partitions that need its rows. The file is cut into byte ranges (one per partition, more where
 * a range would pass {@link #RANGE_BYTES}); a first job counts each range's newlines, so that
 * errors name the file's own line numbers; a second parses each range ({@link CsvTable#readRange})
 * into a cached block, and brings the driver only each range's row count. Then, for an epoch,
 * every parsed range sends each of its rows to the partition whose part of a batch it falls in
 * ({@link RowRoutes}), through a shuffle, and each partition keeps its rows, in epoch order, in
 * the cache ({@link RowBlock}): once for the run without {@code --shuffle}, once an epoch with it.
 * The rows never pass through the driver. A lost executor's blocks are rebuilt by Spark from
 * their lineage. A gzip-compressed file is one range.
 */
final class CsvRanges implements AutoCloseable {
    /** The most bytes of one range. */
    static final long RANGE_BYTES = 64L << 20;
    /** A Spark local property that sets another range size (for tests). */
    static final String RANGE_BYTES_PROPERTY = "nabla.csv.rangeBytes";

    /** Bytes {@code [start, end)} of the file, with {@code newlinesBefore} newlines before them. */
    record Range(int index, long start, long end, long newlinesBefore, boolean gzip) implements Serializable {}

    private final JavaRDD<CsvRows> parsed;
    private final RowRoutes routes;
    private final int ranges;
    private JavaRDD<StepInput> blocks;
    private int blocksEpoch = -1;
    private long moveNanos;
    private long movedRows;

    private CsvRanges(JavaRDD<CsvRows> parsed, RowRoutes routes, int ranges) {
        this.parsed = parsed;
        this.routes = routes;
        this.ranges = ranges;
    }

    /**
     * Parses the file of {@code layout} among the executors, for steps of {@code batch} samples
     * over {@code parts} partitions, the epochs' orders shuffled from {@code seed} when {@code shuffle}.
     */
    static CsvRanges parse(JavaSparkContext spark, CsvLayout layout, int parts, int batch, boolean shuffle, long seed) {
        try {
            return parseRanges(spark, layout, parts, batch, shuffle, seed);
        } catch (Exception e) { // Spark's own exceptions are checked, and Scala does not declare them
            throw SparkFailures.explained(e, "reading " + layout.csv().csvFile());
        }
    }

    private static CsvRanges parseRanges(
            JavaSparkContext spark, CsvLayout layout, int parts, int batch, boolean shuffle, long seed) {
        String file = layout.csv().csvFile();
        FileBytes bytes = FileBytes.of(spark, file);
        long length = bytes.length();
        boolean gzip = gzip(bytes, length);
        String asked = spark.getLocalProperty(RANGE_BYTES_PROPERTY);
        long rangeBytes = asked == null ? RANGE_BYTES : Long.parseLong(asked);
        int n = gzip || length == 0
                ? 1
                : (int) Math.max(parts, Math.min(1 << 20, (length + rangeBytes - 1) / rangeBytes));
        List<Range> cuts = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            long start = gzip ? 0 : length * c / n;
            long end = gzip ? Long.MAX_VALUE : length * (c + 1) / n;
            cuts.add(new Range(c, start, end, 0, gzip));
        }
        List<Range> counted = cuts;
        if (n > 1) {
            List<Long> newlines =
                    spark.parallelize(cuts, n).map(r -> newlines(bytes, r)).collect();
            counted = new ArrayList<>();
            long before = 0;
            for (int c = 0; c < n; c++) {
                Range r = cuts.get(c);
                counted.add(new Range(c, r.start(), r.end(), before, false));
                before += newlines.get(c);
            }
        }
        JavaRDD<CsvRows> parsed =
                spark.parallelize(counted, n).map(r -> read(layout, bytes, r)).persist(StorageLevel.MEMORY_AND_DISK());
        List<Tuple2<Integer, Boolean>> counts =
                parsed.map(r -> new Tuple2<>(r.rows(), r.headerSeen())).collect();
        long[] firstRow = new long[n + 1];
        for (int c = 0; c < n; c++) {
            firstRow[c + 1] = firstRow[c] + counts.get(c)._1();
        }
        long total = firstRow[n];
        if (total == 0) {
            parsed.unpersist(false);
            throw CsvTable.noSamples(file, counts.get(0)._2());
        }
        if (total > Integer.MAX_VALUE - 8) {
            parsed.unpersist(false);
            throw new InputException(file + ": " + total + " samples, more than one run can number");
        }
        int all = (int) total;
        int[] train = null;
        if (layout.held() > 0) {
            if (layout.held() >= all) {
                parsed.unpersist(false);
                throw new InputException(
                        file + ": holding out " + layout.held() + " of " + all + " samples leaves none to train on");
            }
            train = HeldOutSplit.trainIndices(all, layout.held(), layout.drawn(), layout.heldSeed());
        }
        RowRoutes routes = new RowRoutes(all, firstRow, train, batch, parts, shuffle, seed);
        return new CsvRanges(parsed, routes, n);
    }

    /** The samples trained on: the file's rows less the held-out ones. */
    int samples() {
        return routes.trainCount();
    }

    int ranges() {
        return ranges;
    }

    /**
     * The partitions' rows of epoch {@code epoch}, moved and cached at the first call for it (and
     * for all epochs at once without shuffling); the blocks of an earlier epoch are let go.
     */
    JavaRDD<StepInput> blocks(int epoch) {
        int wanted = routes.shuffle() ? epoch : 0;
        if (blocks != null && blocksEpoch == wanted) {
            return blocks;
        }
        if (blocks != null) {
            blocks.unpersist(false);
        }
        long t0 = System.nanoTime();
        RowRoutes r = routes;
        int parts = r.parts();
        JavaRDD<StepInput> moved = parsed.mapPartitionsWithIndex(
                        (Integer c, java.util.Iterator<CsvRows> it) ->
                                r.send(wanted, c, it.next()).iterator(),
                        true)
                .mapToPair(t -> t)
                .partitionBy(new ReduceScatterExchange.ByChunk(parts))
                .mapPartitionsWithIndex(
                        (Integer p, java.util.Iterator<Tuple2<Integer, RowRoutes.Bundle>> it) ->
                                List.<StepInput>of(RowRoutes.block(p, it)).iterator(),
                        true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            moved.count(); // moved now, so that the steps' times are the steps'
        } catch (Exception e) { // Spark's own exceptions are checked, and Scala does not declare them
            throw SparkFailures.explained(e, "moving the rows of epoch " + epoch);
        }
        moveNanos += System.nanoTime() - t0;
        movedRows += r.trainCount();
        blocks = moved;
        blocksEpoch = wanted;
        return moved;
    }

    /** Seconds spent moving rows to the partitions, and the rows moved, over the run so far. */
    double moveSeconds() {
        return moveNanos / 1e9;
    }

    long movedRows() {
        return movedRows;
    }

    @Override
    public void close() {
        if (blocks != null) {
            blocks.unpersist(false);
        }
        parsed.unpersist(false);
    }

    /** Whether the file starts with gzip's magic bytes. */
    private static boolean gzip(FileBytes bytes, long length) {
        if (length < 2) {
            return false;
        }
        try (InputStream in = bytes.openAt(0)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        } catch (IOException e) {
            throw bytes.cannotRead(e);
        }
    }

    /** The newline bytes in the range. */
    private static long newlines(FileBytes bytes, Range r) {
        long count = 0;
        try (InputStream in = new BufferedInputStream(bytes.openAt(r.start()), 1 << 16)) {
            byte[] buf = new byte[1 << 16];
            long left = r.end() - r.start();
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    count += buf[i] == '\n' ? 1 : 0;
                }
                left -= n;
            }
        } catch (IOException e) {
            throw bytes.cannotRead(e);
        }
        return count;
    }

    /** One range's samples. */
    private static CsvRows read(CsvLayout layout, FileBytes bytes, Range r) {
        try (InputStream raw = bytes.openAt(Math.max(0, r.start() - 1))) {
            InputStream in = r.gzip() ? new java.util.zip.GZIPInputStream(raw, 1 << 16) : raw;
            return layout.csv().readRange(in, r.start(), r.end(), r.newlinesBefore());
        } catch (IOException e) {
            throw bytes.cannotRead(e);
        }
    }
}

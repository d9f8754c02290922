package dev.nabla.spark;

import dev.nabla.data.CsvRows;
import dev.nabla.train.ShuffledOrders;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import scala.Tuple2;

/**
 * Where each row of a CSV file goes in an epoch of a run on Spark: row {@code r} of the file is
 * training sample {@code i} (the rows less the held-out ones, in file order), which has position
 * {@code pos} in the epoch's order (file order, or the seed's permutation with shuffling), so it
 * is in batch {@code pos / batch}, and in the partition whose part of that batch
 * ({@link BatchParts}) holds it. The same rows, batches and parts as a run whose every executor
 * opens the whole file.
 */
final class RowRoutes implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The rows of one parsed range bound for one partition: epoch positions and their values. */
    record Bundle(int[] positions, int inputWidth, int targetWidth, double[] inputs, double[] targets)
            implements Serializable {}

    /** The first file row of each range, and after the last the file's rows. */
    private final long[] firstRow;
    /** The file rows trained on, increasing; null for all of them. */
    private final int[] train;

    private final int trainCount;
    private final int batch;
    private final int parts;
    private final boolean shuffle;
    private final long seed;

    RowRoutes(int all, long[] firstRow, int[] train, int batch, int parts, boolean shuffle, long seed) {
        this.firstRow = firstRow;
        this.train = train;
        this.trainCount = train == null ? all : train.length;
        this.batch = Math.min(batch, trainCount);
        this.parts = parts;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    int trainCount() {
        return trainCount;
    }

    int parts() {
        return parts;
    }

    boolean shuffle() {
        return shuffle;
    }

    /** The partition of epoch position {@code pos}. */
    int partitionOf(int pos) {
        int k = pos / batch;
        int rows = Math.min(batch, trainCount - k * batch);
        return BatchParts.partOf(rows, parts, pos - k * batch);
    }

    /** Range {@code range}'s rows, bundled by the partition they go to in epoch {@code epoch}. */
    List<Tuple2<Integer, Bundle>> send(int epoch, int range, CsvRows rows) {
        int[] where = shuffle ? positions(trainCount, seed, epoch) : null;
        int[] pos = new int[rows.rows()];
        int[] dest = new int[rows.rows()];
        int[] count = new int[parts];
        for (int j = 0; j < rows.rows(); j++) {
            long r = firstRow[range] + j;
            int i = train == null ? (int) r : Arrays.binarySearch(train, (int) r);
            if (i < 0) {
                dest[j] = -1; // held out
                continue;
            }
            pos[j] = where == null ? i : where[i];
            dest[j] = partitionOf(pos[j]);
            count[dest[j]]++;
        }
        int iw = rows.inputWidth();
        int tw = rows.targetWidth();
        List<Tuple2<Integer, Bundle>> out = new ArrayList<>();
        Bundle[] bundles = new Bundle[parts];
        int[] filled = new int[parts];
        for (int p = 0; p < parts; p++) {
            if (count[p] > 0) {
                bundles[p] =
                        new Bundle(new int[count[p]], iw, tw, new double[count[p] * iw], new double[count[p] * tw]);
                out.add(new Tuple2<>(p, bundles[p]));
            }
        }
        for (int j = 0; j < rows.rows(); j++) {
            int p = dest[j];
            if (p >= 0) {
                Bundle b = bundles[p];
                int k = filled[p]++;
                b.positions()[k] = pos[j];
                System.arraycopy(rows.inputs(), j * iw, b.inputs(), k * iw, iw);
                System.arraycopy(rows.targets(), j * tw, b.targets(), k * tw, tw);
            }
        }
        return out;
    }

    /** Partition {@code p}'s block: the bundles sent to it, their rows in epoch order. */
    static RowBlock block(int p, Iterator<Tuple2<Integer, Bundle>> sent) {
        List<Bundle> bundles = new ArrayList<>();
        int rows = 0;
        int iw = 1;
        int tw = 1;
        while (sent.hasNext()) {
            Bundle b = sent.next()._2();
            bundles.add(b);
            rows += b.positions().length;
            iw = b.inputWidth();
            tw = b.targetWidth();
        }
        double[] xs = new double[rows * iw]; // the bundles' rows one after another
        double[] ts = new double[rows * tw];
        long[] keyed = new long[rows]; // each row's epoch position, then its place in xs
        int at = 0;
        for (Bundle b : bundles) {
            System.arraycopy(b.inputs(), 0, xs, at * iw, b.inputs().length);
            System.arraycopy(b.targets(), 0, ts, at * tw, b.targets().length);
            for (int pos : b.positions()) {
                keyed[at] = ((long) pos << 32) | at;
                at++;
            }
        }
        Arrays.sort(keyed);
        int[] positions = new int[rows];
        double[] x = new double[rows * iw];
        double[] t = new double[rows * tw];
        for (int i = 0; i < rows; i++) {
            int src = (int) keyed[i];
            positions[i] = (int) (keyed[i] >>> 32);
            System.arraycopy(xs, src * iw, x, i * iw, iw);
            System.arraycopy(ts, src * tw, t, i * tw, tw);
        }
        return new RowBlock(p, positions, iw, tw, x, t);
    }

    /** Epoch {@code epoch}'s position of each training sample, kept for the executor's next range. */
    private static int[] positions(int samples, long seed, int epoch) {
        synchronized (RowRoutes.class) {
            if (cached != null && cachedSamples == samples && cachedSeed == seed && cachedEpoch == epoch) {
                return cached;
            }
        }
        int[] order = new ShuffledOrders(samples, seed).epoch(epoch);
        int[] where = new int[samples];
        for (int pos = 0; pos < samples; pos++) {
            where[order[pos]] = pos;
        }
        synchronized (RowRoutes.class) {
            cached = where;
            cachedSamples = samples;
            cachedSeed = seed;
            cachedEpoch = epoch;
        }
        return where;
    }

    private static int[] cached;
    private static int cachedSamples;
    private static long cachedSeed;
    private static int cachedEpoch;
}

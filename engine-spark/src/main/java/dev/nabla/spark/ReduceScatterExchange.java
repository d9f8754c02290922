package dev.nabla.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * The exchange for large models: a reduce-scatter through Spark's shuffle, then a gather of the
 * sums. Each partition cuts its gradient into {@code chunks} contiguous chunks and sends chunk
 * {@code c} to reducer {@code c}; reducer {@code c} adds its chunk's pieces in partition order and
 * returns the sum; the driver puts the summed chunks side by side. The driver so receives one
 * gradient ({@code 8p} bytes) whatever the partition count, and no task holds more than
 * {@code P x 8p / chunks} bytes of pieces; the executors move {@code P x 8p} bytes between them
 * through the shuffle. The sums are those of {@link CollectExchange}, bit for bit: each entry is
 * added from partition 0 up, starting from zero.
 */
final class ReduceScatterExchange implements Exchange {
    /** The largest chunk the driver receives in one task result. */
    static final long CHUNK_BYTES = 32L << 20;

    private final int chunks;

    ReduceScatterExchange(int chunks) {
        if (chunks < 1) {
            throw new IllegalArgumentException("chunks must be at least 1, not " + chunks);
        }
        this.chunks = chunks;
    }

    /** One chunk per partition, more where a chunk would exceed {@link #CHUNK_BYTES}, never more than the parameters. */
    static int chunksFor(long parameters, int partitions) {
        long bySize = (Double.BYTES * parameters + CHUNK_BYTES - 1) / CHUNK_BYTES;
        return (int) Math.max(1, Math.min(parameters, Math.max(partitions, bySize)));
    }

    @Override
    public String name() {
        return "reduce-scatter in " + chunks + " chunks";
    }

    /** Chunk {@code c} of {@code chunks} of {@code p} entries starts at {@code floor(c * p / chunks)}. */
    static int chunkStart(int parameters, int chunks, int c) {
        return (int) ((long) parameters * c / chunks);
    }

    /** A piece of one partition's gradient, and for chunk 0 the partition's scalars (its result without gradients). */
    record Piece(int partition, double[] values, PartResult scalars) implements Serializable {}

    /** A reducer's sum of one chunk, and for chunk 0 every partition's scalars in partition order. */
    record ChunkSum(int chunk, double[] values, List<PartResult> scalars, long piecesBytes) implements Serializable {}

    /** Sends chunk {@code c} to reducer {@code c}. */
    static final class ByChunk extends Partitioner {
        private final int chunks;

        ByChunk(int chunks) {
            this.chunks = chunks;
        }

        @Override
        public int numPartitions() {
            return chunks;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByChunk b && b.chunks == chunks;
        }

        @Override
        public int hashCode() {
            return chunks;
        }
    }

    @Override
    public Combined combine(JavaRDD<StepInput> partitions, StepTask task, int parameters) {
        int n = chunks;
        List<ChunkSum> sums = partitions
                .mapPartitionsWithIndex(task, true)
                .flatMapToPair(r -> {
                    List<Tuple2<Integer, Piece>> out = new ArrayList<>(n);
                    for (int c = 0; c < n; c++) {
                        double[] values = r.gradients() == null
                                ? null
                                : Arrays.copyOfRange(
                                        r.gradients(), chunkStart(parameters, n, c), chunkStart(parameters, n, c + 1));
                        out.add(new Tuple2<>(
                                c, new Piece(r.partition(), values, c == 0 ? r.withoutGradients() : null)));
                    }
                    return out.iterator();
                })
                .partitionBy(new ByChunk(n))
                .mapPartitionsWithIndex(
                        (Integer c, Iterator<Tuple2<Integer, Piece>> it) -> {
                            List<Piece> pieces = new ArrayList<>();
                            it.forEachRemaining(t -> pieces.add(t._2()));
                            return List.of(sum(c, parameters, n, pieces)).iterator();
                        },
                        true)
                .collect();
        ChunkSum[] byChunk = new ChunkSum[n];
        for (ChunkSum s : sums) {
            byChunk[s.chunk()] = s;
        }
        double[] sum = new double[parameters];
        long toDriver = 0;
        long shuffled = 0;
        for (int c = 0; c < n; c++) {
            if (byChunk[c] == null) {
                throw new IllegalStateException("no sum for chunk " + c + " of step " + task.step());
            }
            System.arraycopy(byChunk[c].values(), 0, sum, chunkStart(parameters, n, c), byChunk[c].values().length);
            toDriver += 8L * byChunk[c].values().length;
            shuffled += byChunk[c].piecesBytes();
        }
        Combined.Builder b = new Combined.Builder();
        for (PartResult r : Exchange.inPartitionOrder(byChunk[0].scalars(), task.parts(), task.step())) {
            b.add(r);
        }
        return b.build(sum, toDriver + 40L * task.parts(), shuffled);
    }

    /** Reducer {@code c}'s work: its chunk's pieces added in partition order, from zero. */
    private static ChunkSum sum(int c, int parameters, int chunks, List<Piece> pieces) {
        pieces.sort(Comparator.comparingInt(Piece::partition));
        for (int k = 1; k < pieces.size(); k++) {
            if (pieces.get(k).partition() == pieces.get(k - 1).partition()) {
                throw new IllegalStateException("two pieces of chunk " + c + " from partition "
                        + pieces.get(k).partition());
            }
        }
        double[] values = new double[chunkStart(parameters, chunks, c + 1) - chunkStart(parameters, chunks, c)];
        long bytes = 0;
        List<PartResult> scalars = c == 0 ? new ArrayList<>() : List.of();
        for (Piece p : pieces) {
            if (p.values() != null) {
                for (int i = 0; i < values.length; i++) {
                    values[i] += p.values()[i];
                }
                bytes += 8L * p.values().length;
            }
            if (c == 0) {
                scalars.add(p.scalars());
            }
        }
        return new ChunkSum(c, values, scalars, bytes);
    }
}

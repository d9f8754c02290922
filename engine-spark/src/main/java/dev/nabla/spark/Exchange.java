package dev.nabla.spark;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * How one step's partial gradients reach the driver, added in partition order. Every exchange
 * gives the same bits: each gradient entry is the sum of the partitions' entries from partition 0
 * up, whichever machine adds them.
 */
interface Exchange {
    /** The exchange's name, as a run reports it. */
    String name();

    /**
     * Runs {@code task} in every partition and returns the sum of the partitions' gradients
     * ({@code parameters} entries), their losses and right answers, added in partition order.
     */
    Combined combine(JavaRDD<StepInput> partitions, StepTask task, int parameters);

    /**
     * The default: {@link CollectExchange} while the partitions' gradients together
     * ({@code partitions x 8 x parameters} bytes) stay within {@code driverBytes}, else
     * {@link ReduceScatterExchange}, whose driver receives one gradient whatever the partition
     * count.
     */
    static Exchange choose(int partitions, long parameters, long driverBytes) {
        ExchangeChoice c = (long) partitions * Double.BYTES * parameters <= driverBytes
                ? ExchangeChoice.COLLECT
                : ExchangeChoice.REDUCE_SCATTER;
        return c.make(partitions, parameters);
    }

    /** {@code results} by partition, each exactly once. */
    static PartResult[] inPartitionOrder(List<PartResult> results, int parts, long step) {
        PartResult[] byPartition = new PartResult[parts];
        for (PartResult r : results) {
            if (byPartition[r.partition()] != null) {
                throw new IllegalStateException("two results for partition " + r.partition() + " of step " + step);
            }
            byPartition[r.partition()] = r;
        }
        for (int q = 0; q < parts; q++) {
            if (byPartition[q] == null) {
                throw new IllegalStateException("no result for partition " + q + " of step " + step);
            }
        }
        return byPartition;
    }

    /**
     * A step's combined result: the gradient sum, the batch's loss and right answers, the attempts
     * that failed before the counted ones, the slowest partition's compute time, and the bytes the
     * driver received ({@code toDriverBytes}) and the executors sent each other ({@code shuffleBytes}).
     */
    record Combined(
            double[] gradients,
            double loss,
            long correct,
            int failedAttempts,
            long slowestNanos,
            long toDriverBytes,
            long shuffleBytes) {

        /** Adds up the scalars of the parts, in the order they are given. */
        static final class Builder {
            private double loss;
            private long correct;
            private int failed;
            private long slowest;
            private long payload;

            void add(PartResult r) {
                loss += r.loss();
                correct += r.correct();
                failed += r.attempt();
                slowest = Math.max(slowest, r.computeNanos());
                payload += r.payloadBytes();
            }

            long payloadBytes() {
                return payload;
            }

            Combined build(double[] gradients, long toDriver, long shuffled) {
                return new Combined(gradients, loss, correct, failed, slowest, toDriver, shuffled);
            }
        }
    }
}

package dev.nabla.spark;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * The exchange for small models: every partition's task returns its whole gradient to the driver
 * ({@code collect}), and the driver adds them in partition order. The driver receives
 * {@code P x 8p} bytes a step and holds them at once, so it serves while that stays small
 * ({@link Exchange#choose}).
 */
final class CollectExchange implements Exchange {
    @Override
    public String name() {
        return "collect";
    }

    @Override
    public Combined combine(JavaRDD<StepInput> partitions, StepTask task, int parameters) {
        List<PartResult> collected =
                partitions.mapPartitionsWithIndex(task, true).collect();
        PartResult[] byPartition = Exchange.inPartitionOrder(collected, task.parts(), task.step());
        double[] sum = new double[parameters];
        Combined.Builder c = new Combined.Builder();
        for (PartResult r : byPartition) { // in partition order: the sums are the same every run
            c.add(r);
            if (r.gradients() != null) {
                for (int i = 0; i < parameters; i++) {
                    sum[i] += r.gradients()[i];
                }
            }
        }
        return c.build(sum, c.payloadBytes(), 0);
    }
}

package dev.nabla.spark;

import dev.nabla.data.InputScaling;
import dev.nabla.data.SampleSource;
import dev.nabla.data.Samples;
import dev.nabla.train.Trainer;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * One step's work in one partition: load the broadcast weights into this executor's trainer,
 * compute the loss and gradient sums of the partition's part of the global batch
 * ({@link BatchParts}), and return them. Nothing is updated here; the driver updates. The part's
 * rows come from the source the executor opens, or from the partition's block of moved rows
 * ({@link RowBlock}, standardized by {@code blockScaling} where that is not null).
 */
final class StepTask implements Function2<Integer, Iterator<StepInput>, Iterator<PartResult>> {
    private final Broadcast<double[]> weights;
    private final StepPlan plan;
    private final ExecutorCache.Key key;
    private final SampleSource data;
    private final InputScaling blockScaling;
    private final TaskHook hook;

    /**
     * A step of global batch {@code rows} samples from position {@code first} of epoch {@code epoch}'s
     * order (file order unless {@code shuffle}, then the permutation drawn from {@code seed}), step
     * number {@code step} of the run, over {@code parts} partitions.
     */
    record StepPlan(long step, int epoch, int first, int rows, int parts, boolean shuffle, long seed)
            implements java.io.Serializable {}

    StepTask(
            Broadcast<double[]> weights,
            StepPlan plan,
            ExecutorCache.Key key,
            SampleSource data,
            InputScaling blockScaling,
            TaskHook hook) {
        this.weights = weights;
        this.plan = plan;
        this.key = key;
        this.data = data;
        this.blockScaling = blockScaling;
        this.hook = hook;
    }

    /** The partitions the step's batch is cut into. */
    int parts() {
        return plan.parts();
    }

    /** The step's number in the run, from 1. */
    long step() {
        return plan.step();
    }

    @Override
    public Iterator<PartResult> call(Integer partition, Iterator<StepInput> input) {
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 0 : task.attemptNumber();
        hook.beforeStep(plan.step(), partition, attempt);
        int rows = BatchParts.rows(plan.rows(), plan.parts(), partition);
        String executor = SetUpTask.executorId();
        if (rows == 0) {
            return List.of(new PartResult(partition, attempt, 0, 0.0, 0, null, 0, executor, ""))
                    .iterator();
        }
        double[] w = weights.value(); // fetched from the driver or another executor: the exchange's time
        AssignedGpu.claim(); // a task on an executor the set-up never reached (one that replaced a lost one)
        StepInput in = input.next();
        Samples samples = in instanceof RowBlock b
                ? b.samples("partition " + partition, blockScaling)
                : ExecutorCache.samples(data);
        ExecutorCache.Worker worker = ExecutorCache.borrow(key, w);
        try {
            long t0 = System.nanoTime(); // computing: the weights loaded, forward, backward, the gradients out
            Trainer trainer = worker.trainer;
            trainer.loadParameters(w);
            int[] order = null;
            int from = plan.first() + BatchParts.start(plan.rows(), plan.parts(), partition);
            if (in instanceof RowBlock b) { // its rows are the epoch's, in epoch order
                from = b.rowOf(from);
            } else if (plan.shuffle()) {
                order = worker.order(samples.count(), plan.seed(), plan.epoch());
            }
            double loss = trainer.gradientSums(samples, order, from, rows, plan.rows(), worker.gradients);
            long correct = Math.max(0, trainer.lastCorrect());
            double[] gradients = worker.gradients.clone(); // the worker's array serves its next step
            return List.of(new PartResult(
                            partition,
                            attempt,
                            rows,
                            loss,
                            correct,
                            gradients,
                            System.nanoTime() - t0,
                            executor,
                            worker.selection.backend().description()))
                    .iterator();
        } finally {
            ExecutorCache.giveBack(key, worker);
        }
    }
}

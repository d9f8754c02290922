package dev.nabla.spark;

import dev.nabla.InputException;
import dev.nabla.data.SampleSource;
import dev.nabla.data.Samples;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * The task that sets a run up in one partition: its executor opens the data (unless it comes as
 * moved rows, {@code data} null: then the report's samples are 0) and a worker sized for the
 * partition's parts of the batches, and reports where it runs, on which backend, and what data it
 * found.
 */
final class SetUpTask implements Function2<Integer, Iterator<StepInput>, Iterator<ExecutorReport>> {
    private final Broadcast<double[]> weights;
    private final ExecutorCache.Key unsized;
    private final int batch;
    private final int parts;
    private final int microBatch;
    private final SampleSource data;

    SetUpTask(
            Broadcast<double[]> weights,
            ExecutorCache.Key unsized,
            int batch,
            int parts,
            int microBatch,
            SampleSource data) {
        this.weights = weights;
        this.unsized = unsized;
        this.batch = batch;
        this.parts = parts;
        this.microBatch = microBatch;
        this.data = data;
    }

    @Override
    public Iterator<ExecutorReport> call(Integer partition, Iterator<StepInput> ignored) {
        try {
            return List.of(open(partition)).iterator();
        } catch (InputException e) {
            // Bad data is the user's to fix, not a fault to retry: it goes back as the report.
            return List.of(new ExecutorReport(partition, executorId(), host(), null, 0, 0, 0, e.getMessage()))
                    .iterator();
        }
    }

    private ExecutorReport open(int partition) {
        String gpu = AssignedGpu.claim(); // before the first backend opens on this executor
        Samples samples = data == null ? null : ExecutorCache.samples(data);
        ExecutorCache.Key key =
                unsized.forParts(samples == null ? batch : Math.min(batch, samples.count()), parts, microBatch);
        ExecutorCache.Worker w = ExecutorCache.borrow(key, weights.value());
        // What was chosen and why, then what computes: the device (a GPU's name), threads, products.
        String backend = w.selection.summary() + "; " + w.selection.backend().description() + gpu;
        ExecutorCache.giveBack(key, w);
        return new ExecutorReport(
                partition,
                executorId(),
                host(),
                backend,
                samples == null ? 0 : samples.count(),
                samples == null ? 0 : samples.inputWidth(),
                samples == null ? 0 : samples.targetWidth(),
                null);
    }

    /** The executor this task runs in ({@code "driver"} in local mode). */
    static String executorId() {
        return SparkEnv.get() == null ? "?" : SparkEnv.get().executorId();
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "?";
        }
    }
}

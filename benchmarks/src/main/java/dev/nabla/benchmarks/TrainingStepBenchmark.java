package dev.nabla.benchmarks;

import dev.nabla.backend.Backend;
import dev.nabla.benchmark.Workload;
import dev.nabla.data.Dataset;
import dev.nabla.model.Network;
import dev.nabla.train.MemoryPlan;
import dev.nabla.train.ResidentBatch;
import dev.nabla.train.Trainer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole training step (forward, loss, backward, SGD update) on a backend, per standard
 * workload ({@link Workload}: seed, mnist, wide) and precision. The primary score is steps per
 * second; the {@code samples} counter is samples per second (steps times the batch). Every step
 * ends by copying its loss back, which waits for a GPU to finish. With {@code data=resident} (the
 * default) the batch is kept on the backend ({@link Trainer#keep}) and the steps are recorded and
 * replayed, as {@code engine bench} runs them; {@code data=uploaded} uploads it every step, as
 * training from host memory does.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx4g", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class TrainingStepBenchmark {

    @Param({"seed", "mnist"})
    public String workload;

    @Param({"cpu"})
    public String backend;

    @Param({"fp64", "fp32"})
    public String precision;

    @Param({"resident"})
    public String data;

    private Backend be;
    private Trainer trainer;
    private Dataset samples;
    private ResidentBatch kept;
    private int batch;

    /** Samples trained, reported by JMH as a rate beside the steps. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Samples {
        public long samples;

        @Setup(Level.Iteration)
        public void reset() {
            samples = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        Workload w = Workload.named(workload);
        batch = w.batch();
        Network net = w.network(1);
        SplittableRandom rng = new SplittableRandom(2);
        int[] widths = w.widths();
        double[] x = new double[batch * widths[0]];
        double[] t = new double[batch * widths[widths.length - 1]];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble();
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = rng.nextDouble();
        }
        samples = new Dataset(w.name(), batch, widths[0], widths[widths.length - 1], x, t);
        be = BackendState.open(backend, precision);
        trainer = new Trainer(be, net, MemoryPlan.capacityFor(be, net, batch));
        if (data.equals("resident")) {
            kept = trainer.keep(samples, 0, batch);
        } else if (!data.equals("uploaded")) {
            throw new IllegalArgumentException("data must be resident or uploaded, not " + data);
        }
    }

    /** Returns the step's loss so the work cannot be optimized away; the loss download also waits for a GPU. */
    @Benchmark
    public double step(Samples counter) {
        counter.samples += batch;
        return kept != null ? trainer.step(kept, 0.01) : trainer.step(samples, null, 0, batch, 0.01);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (trainer != null) {
            trainer.close();
        }
        if (be != null) {
            be.close();
        }
    }
}

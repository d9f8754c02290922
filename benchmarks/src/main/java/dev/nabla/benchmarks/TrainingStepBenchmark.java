package dev.nabla.benchmarks;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.model.Network;
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
 * One whole training step (forward, loss, backward, SGD update) on a backend, per workload and
 * precision. The primary score is steps per second; the {@code samples} counter is samples per
 * second (steps times the batch).
 *
 * <pre>
 *   seed-small: 2-2-2 sigmoid, batch 65,536   (the document's network, elementwise-bound)
 *   mnist:      784-256-256-10 sigmoid, batch 1,024   (matrix-product-bound)
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class TrainingStepBenchmark {

    @Param({"seed-small", "mnist"})
    public String workload;

    @Param({"cpu"})
    public String backend;

    @Param({"fp64", "fp32"})
    public String precision;

    private Selection selection;
    private Trainer trainer;
    private double[] x;
    private double[] t;
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
        int[] widths;
        switch (workload) {
            case "seed-small" -> {
                widths = new int[] {2, 2, 2};
                batch = 65_536;
            }
            case "mnist" -> {
                widths = new int[] {784, 256, 256, 10};
                batch = 1_024;
            }
            default -> throw new IllegalArgumentException("unknown workload " + workload);
        }
        Network.Builder b = Network.builder(widths[0]);
        for (int l = 1; l < widths.length; l++) {
            b.dense(widths[l], Activation.SIGMOID, false);
        }
        Network net = b.build(1);
        SplittableRandom rng = new SplittableRandom(2);
        x = new double[batch * widths[0]];
        t = new double[batch * widths[widths.length - 1]];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble();
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = rng.nextDouble();
        }
        selection = Backends.select(backend, Precision.parse(precision));
        trainer = new Trainer(selection.backend(), net, batch);
    }

    /** Returns the step's loss so the work cannot be optimized away; the loss download also waits for a GPU. */
    @Benchmark
    public double step(Samples counter) {
        counter.samples += batch;
        return trainer.step(x, t, 0, batch, 0.01);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        trainer.close();
        selection.close();
    }
}

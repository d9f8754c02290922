package dev.nabla.benchmarks;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Matrix;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * Activation forward ({@code a = f(z)}) and backward ({@code delta = g * f'(a)}) over a
 * {@code rows x cols} matrix, per activation, backend and precision; a GPU is synchronized at the
 * end of every call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx4g", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class ActivationBenchmark {

    /** {@code rows x cols}: an mnist hidden layer's batch, and the seed workload's. */
    @Param({"1024x256", "1048576x2"})
    public String shape;

    @Param({"sigmoid", "relu"})
    public String activation;

    @Param({"cpu"})
    public String backend;

    @Param({"fp64", "fp32"})
    public String precision;

    private Backend be;
    private Activation f;
    private Matrix z;
    private Matrix a;
    private Matrix g;
    private Matrix delta;

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        int rows = Integer.parseInt(dims[0]);
        int cols = Integer.parseInt(dims[1]);
        be = BackendState.open(backend, precision);
        f = Activation.parse(activation);
        SplittableRandom rng = new SplittableRandom(5);
        z = BackendState.random(be, rows, cols, 4.0, rng);
        g = BackendState.random(be, rows, cols, 4.0, rng);
        a = be.allocate(rows, cols);
        delta = be.allocate(rows, cols);
        be.activationForward(f, z, a);
    }

    @Benchmark
    public Matrix forward() {
        be.activationForward(f, z, a);
        be.synchronize();
        return a;
    }

    @Benchmark
    public Matrix backward() {
        be.activationBackward(f, a, g, delta);
        be.synchronize();
        return delta;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) {
            be.close();
        }
    }
}

package dev.nabla.benchmarks;

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
 * One matrix product {@code c = op(a) op(b)} on a backend, per shape ("m x n x k" and which operand
 * is transposed, as the training step's three products are: forward {@code NT}, weight gradient
 * {@code TN}, input gradient {@code NN}) and precision. Time per product; a GPU is synchronized at
 * the end of every call. GFLOP/s = 2 m n k / time.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx4g", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class GemmBenchmark {

    /** {@code m x n x k / transposes}: mnist's three products, and a square one. */
    @Param({"1024x256x784/NT", "256x784x1024/TN", "1024x784x256/NN", "1024x1024x1024/NN"})
    public String shape;

    @Param({"cpu"})
    public String backend;

    @Param({"fp64", "fp32"})
    public String precision;

    private Backend be;
    private Matrix a;
    private Matrix b;
    private Matrix c;
    private boolean ta;
    private boolean tb;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split("/");
        String[] dims = parts[0].split("x");
        int m = Integer.parseInt(dims[0]);
        int n = Integer.parseInt(dims[1]);
        int k = Integer.parseInt(dims[2]);
        ta = parts[1].charAt(0) == 'T';
        tb = parts[1].charAt(1) == 'T';
        be = BackendState.open(backend, precision);
        SplittableRandom rng = new SplittableRandom(3);
        a = BackendState.random(be, ta ? k : m, ta ? m : k, 1.0, rng);
        b = BackendState.random(be, tb ? n : k, tb ? k : n, 1.0, rng);
        c = be.allocate(m, n);
    }

    /** The product; returns c, and waits for a GPU to finish it. */
    @Benchmark
    public Matrix gemm() {
        be.gemm(ta, tb, 1.0, a, b, 0.0, c);
        be.synchronize();
        return c;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) {
            be.close();
        }
    }
}

package dev.nabla.cpu;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.benchmark.Workload;
import dev.nabla.conformance.AllocationMeter;
import dev.nabla.data.Dataset;
import dev.nabla.example.DocumentExample;
import dev.nabla.model.Network;
import dev.nabla.train.Trainer;
import java.util.SplittableRandom;

/**
 * A training process, as {@code engine train} is one: trains one network on the CPU backend and
 * prints the bytes each step allocates once warm, counted on the training thread and on every one
 * of the backend's worker threads. Its own process, so that what other code did in the same JVM
 * (the JIT compiles the Vector API's code for the shapes it has seen) does not decide the answer.
 * {@link SteadyStateMemoryTest} runs it; by hand: {@code java --add-modules jdk.incubator.vector
 * -cp ... dev.nabla.cpu.StepAllocations mnist fp64}.
 */
public final class StepAllocations {
    /** Where the {@code allocating} step puts its array. */
    static volatile Object escaped;
    /** How long rounds of steps may run while the JIT finishes compiling them. */
    private static final long PATIENCE_NANOS = 60_000_000_000L;

    private StepAllocations() {}

    /** {@code mnist fp64}, {@code mnist fp32}, {@code document fp64} or {@code empty}: prints {@code bytes per step: N}. */
    public static void main(String[] args) {
        long bytes;
        if (args[0].equals("empty")) {
            long[] sink = new long[1];
            bytes = bytesPerStep(() -> sink[0]++, 100, PATIENCE_NANOS);
        } else if (args[0].equals("allocating")) {
            // A field keeps the JIT from removing it; three rounds show it, there is no JIT to wait for.
            bytes = bytesPerStep(() -> escaped = new long[128], 100, 0);
        } else {
            bytes = train(args[0], Precision.parse(args[1]));
        }
        System.out.println("bytes per step: " + bytes);
    }

    private static long train(String network, Precision p) {
        boolean mnist = network.equals("mnist");
        Network net = mnist ? Workload.MNIST.network(1) : DocumentExample.network();
        int batch = mnist ? Workload.MNIST.batch() : 1;
        Dataset data = mnist
                ? random(batch, net.inputs(), net.outputs())
                : new Dataset("document", 1, 2, 2, DocumentExample.INPUT, DocumentExample.TARGET);
        double lr = mnist ? 0.01 : DocumentExample.LEARNING_RATE;
        try (Backend be = Backends.select("cpu", p).backend();
                Trainer tr = new Trainer(be, net, batch)) {
            Runnable step = () -> tr.step(data, null, 0, batch, lr);
            for (int s = 0; s < (mnist ? 30 : 20_000); s++) {
                step.run();
            }
            return bytesPerStep(step, mnist ? 10 : 1000, PATIENCE_NANOS);
        }
    }

    private static Dataset random(int n, int in, int out) {
        SplittableRandom rng = new SplittableRandom(4);
        double[] x = new double[n * in];
        double[] t = new double[n * out];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble();
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = rng.nextDouble();
        }
        return new Dataset("random", n, in, out, x, t);
    }

    /**
     * The least bytes per step, on the training thread and the backend's workers, over rounds of
     * {@code steps} steps run until one allocates nothing or {@code patience} nanoseconds have
     * passed ({@link AllocationMeter#leastUntilZero}).
     */
    static long bytesPerStep(Runnable step, int steps, long patience) {
        return new AllocationMeter(AllocationMeter.threadsNamed("nabla-cpu-"))
                .leastUntilZero(step, steps, patience)
                .perStep();
    }
}

package dev.nabla.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.AllocationMeter;
import dev.nabla.example.DocumentExample;
import dev.nabla.model.Layer;
import dev.nabla.model.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * After warm-up, a training step's backend operations allocate nothing, on the calling thread or
 * on the backend's own threads ({@code nabla-cpu-*}): the operations a trainer calls, straight on
 * the {@link Backend} API (the optimizer updates Adam, AdamW and SGD with momentum included), for the mnist shapes (784-256-256-10, batch 1,024) in both precisions
 * with the Vector API kernels and with the plain ones, and the fused pass on the document's 2-2-2
 * network. Bytes are counted by {@link com.sun.management.ThreadMXBean#getThreadAllocatedBytes},
 * which sees every allocation, in a thread-local buffer or not; the test first checks that it
 * sees a deliberate one on either kind of thread.
 *
 * <p>"After warm-up": until the JIT has compiled the loops, interpreted or first-tier Vector API
 * code allocates its vectors, and the first full-size steps grow the packing buffers, so each case
 * runs steps until a round of them allocates nothing, and fails if none does within its time.
 */
class NoAllocationPerStepTest {
    private static final int[] MNIST = {784, 256, 256, 10};
    private static final int BATCH = 1024;
    private static final int THREADS = 2;
    /** Steps per measured round: an mnist step takes tenths of a second with the plain loops, a fused one well under a millisecond. */
    private static final int MNIST_ROUND = 5;

    private static final int FUSED_ROUND = 100;
    /** How long a case may take to stop allocating. */
    private static final long WARM_UP_NANOS = 60_000_000_000L;

    /** Where deliberate allocations go, so that they are not optimized away. */
    static volatile Object sink;

    @BeforeAll
    static void allocationsAreCounted() {
        assumeTrue(AllocationMeter.supported(), "this JVM does not count allocated bytes");
    }

    private static AllocationMeter meter(Parallel par) {
        Thread[] workers = par.workerThreads();
        for (Thread w : workers) {
            assertTrue(w.getName().startsWith("nabla-cpu-"), w.getName());
        }
        return new AllocationMeter(List.of(workers));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("precisions")
    void theMeterSeesADeliberateAllocationOnTheCallerAndOnAWorker(Precision precision) {
        try (CpuBackend be = new CpuBackend(precision, THREADS, CpuKernels.plain())) {
            Parallel par = be.parallel();
            assertTrue(par.workerThreads().length >= 1, "the backend has no worker thread");
            AllocationMeter meter = meter(par);
            Parallel.Range allocating = (from, to) -> sink = new byte[4096];
            long nothing = Long.MAX_VALUE;
            long caller = 0;
            long workers = 0;
            for (int rep = 0; rep < 50; rep++) {
                nothing = Math.min(nothing, meter.round(() -> {}, 1).total());
                caller = Math.max(
                        caller, meter.round(() -> sink = new byte[1000], 1).caller());
                AllocationMeter.Round onWorkers = meter.round(() -> par.forRange(THREADS, 1, allocating), 1);
                workers = Math.max(workers, onWorkers.total() - onWorkers.caller());
            }
            assertEquals(0, nothing, "measuring itself allocates");
            assertTrue(caller >= 1000, "a byte[1000] on the caller counted as " + caller + " bytes");
            assertTrue(workers >= 4096 * (THREADS - 1), "a byte[4096] on each worker counted as " + workers);
        }
    }

    static Stream<Arguments> precisions() {
        return Stream.of(Arguments.of(Precision.FP64), Arguments.of(Precision.FP32));
    }

    static Stream<Arguments> mnistCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            b.add(Arguments.of(p, "vector"));
            b.add(Arguments.of(p, "plain"));
        }
        return b.build();
    }

    private static CpuKernels kernels(String name) {
        if (name.equals("vector")) {
            assumeTrue(CpuKernels.vectorApi(), "the JVM was started without --add-modules jdk.incubator.vector");
            String old = System.getProperty(CpuKernels.PROPERTY);
            System.setProperty(CpuKernels.PROPERTY, "vector");
            try {
                return CpuKernels.choose();
            } finally {
                if (old == null) {
                    System.clearProperty(CpuKernels.PROPERTY);
                } else {
                    System.setProperty(CpuKernels.PROPERTY, old);
                }
            }
        }
        return CpuKernels.plain();
    }

    private static Matrix random(Backend be, int rows, int cols, double bound, SplittableRandom rng) {
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextDouble(-bound, bound);
        }
        Matrix m = be.allocate(rows, cols);
        be.upload(v, 0, m);
        return m;
    }

    private static Matrix zeros(Backend be, int rows, int cols) {
        Matrix z = be.allocate(rows, cols);
        be.upload(new double[rows * cols], 0, z);
        return z;
    }

    /** One mnist training step's operations, layer by layer, on matrices made once. */
    private static final class MnistStep {
        final Backend be;
        final int depth = MNIST.length - 1;
        final Matrix x;
        final Matrix t;
        final Matrix loss;
        final Matrix[] w = new Matrix[depth];
        final Matrix[] b = new Matrix[depth];
        final Matrix[] dw = new Matrix[depth];
        final Matrix[] db = new Matrix[depth];
        final Matrix[] act = new Matrix[depth];
        final Matrix[] grad = new Matrix[depth];
        /** Adam's two moments of each weight matrix, SGD's velocity of each bias. */
        final Matrix[] m = new Matrix[depth];

        final Matrix[] v = new Matrix[depth];
        final Matrix[] velocity = new Matrix[depth];
        final Optimizer adam = Optimizer.adam(0.9, 0.999, 1e-8, 1e-4);
        final Optimizer nesterov = Optimizer.sgd(0.9, true, 1e-4);
        final Matrix scalars;
        final double[] host = new double[Optimizer.STEP_SCALARS];
        int steps;

        MnistStep(Backend be, int rows) {
            this.be = be;
            SplittableRandom rng = new SplittableRandom(11);
            x = random(be, rows, MNIST[0], 1, rng);
            t = random(be, rows, MNIST[depth], 1, rng);
            loss = be.allocate(1, 1);
            for (int l = 0; l < depth; l++) {
                w[l] = random(be, MNIST[l + 1], MNIST[l], 0.1, rng);
                b[l] = random(be, 1, MNIST[l + 1], 0.1, rng);
                dw[l] = be.allocate(MNIST[l + 1], MNIST[l]);
                db[l] = be.allocate(1, MNIST[l + 1]);
                act[l] = be.allocate(rows, MNIST[l + 1]);
                grad[l] = be.allocate(rows, MNIST[l + 1]);
                m[l] = zeros(be, MNIST[l + 1], MNIST[l]);
                v[l] = zeros(be, MNIST[l + 1], MNIST[l]);
                velocity[l] = zeros(be, 1, MNIST[l + 1]);
            }
            scalars = be.allocate(1, Optimizer.STEP_SCALARS);
        }

        /**
         * Forward NT, addBias, sigmoid; the loss; backward: sigmoid', TN (beta 0, every other step 1),
         * bias gradient, NN; the step's scalars uploaded; Adam on the weights, SGD with Nesterov
         * momentum on the biases.
         */
        void run() {
            double beta = steps++ % 2;
            for (int l = 0; l < depth; l++) {
                be.gemm(false, true, 1.0, l == 0 ? x : act[l - 1], w[l], 0.0, act[l]);
                be.addBias(b[l], act[l]);
                be.activationForward(Activation.SIGMOID, act[l], act[l]);
            }
            be.mseLoss(act[depth - 1], t, t.rows(), grad[depth - 1], 0.0, loss);
            for (int l = depth - 1; l >= 0; l--) {
                be.activationBackward(Activation.SIGMOID, act[l], grad[l], grad[l]);
                be.gemm(true, false, 1.0, grad[l], l == 0 ? x : act[l - 1], beta, dw[l]);
                be.biasGradient(grad[l], beta, db[l]);
                if (l > 0) {
                    be.gemm(false, false, 1.0, grad[l], w[l], 0.0, grad[l - 1]);
                }
            }
            adam.stepScalars(1e-3, steps, host); // the same bias corrections serve the SGD, which reads lr only
            be.upload(host, 0, scalars);
            for (int l = 0; l < depth; l++) {
                be.optimizerUpdate(adam, scalars, dw[l], w[l], m[l], v[l]);
                be.optimizerUpdate(nesterov, scalars, db[l], b[l], velocity[l], null);
            }
        }
    }

    @ParameterizedTest(name = "mnist {0} {1}")
    @MethodSource("mnistCases")
    void anMnistStepAllocatesNothing(Precision precision, String kernels) {
        try (CpuBackend be = new CpuBackend(precision, THREADS, kernels(kernels))) {
            MnistStep full = new MnistStep(be, BATCH);
            // Small batches first: the same code paths (both splits of the panel products), faster to compile.
            MnistStep small = new MnistStep(be, 48);
            for (int s = 0; s < 200; s++) {
                small.run();
            }
            measure("mnist " + precision.id() + " " + kernels, be.parallel(), full::run, MNIST_ROUND);
        }
    }

    @ParameterizedTest(name = "fused 2-2-2 {0} {1}")
    @MethodSource("mnistCases")
    void theFusedDocumentNetworkAllocatesNothing(Precision precision, String kernels) {
        try (CpuBackend be = new CpuBackend(precision, THREADS, kernels(kernels))) {
            Network net = DocumentExample.network();
            List<LayerParameters> layers = new ArrayList<>();
            SplittableRandom rng = new SplittableRandom(5);
            for (Layer spec : net.layers()) {
                Matrix w = be.allocate(spec.outputs(), spec.inputs());
                be.upload(spec.weights(), 0, w);
                layers.add(new LayerParameters(
                        spec.activation(), w, null, be.allocate(spec.outputs(), spec.inputs()), null));
            }
            List<LayerParameters> plan = List.copyOf(layers);
            assertTrue(be.fusesNetwork(net.widths()));
            int rows = 1 << 14;
            Matrix x = random(be, rows, 2, 1, rng);
            Matrix t = random(be, rows, 2, 1, rng);
            Matrix loss = be.allocate(1, 1);
            Optimizer adamw = Optimizer.adamw(0.9, 0.999, 1e-8, 0.01);
            Matrix scalars = be.allocate(1, Optimizer.STEP_SCALARS);
            double[] host = new double[Optimizer.STEP_SCALARS];
            long[] steps = {0};
            Matrix[] m = new Matrix[plan.size()];
            Matrix[] v = new Matrix[plan.size()];
            for (int l = 0; l < plan.size(); l++) {
                m[l] = zeros(be, plan.get(l).outputs(), plan.get(l).inputs());
                v[l] = zeros(be, plan.get(l).outputs(), plan.get(l).inputs());
            }
            Runnable step = () -> {
                be.networkGradients(plan, x, t, rows, 0.0, loss);
                adamw.stepScalars(0.01, ++steps[0], host);
                be.upload(host, 0, scalars);
                for (int l = 0; l < plan.size(); l++) { // by index: an iterator would be the test's own allocation
                    LayerParameters p = plan.get(l);
                    be.optimizerUpdate(adamw, scalars, p.weightGrad(), p.weights(), m[l], v[l]);
                }
            };
            measure("fused 2-2-2 " + precision.id() + " " + kernels, be.parallel(), step, FUSED_ROUND);
        }
    }

    /**
     * Runs {@code step} in rounds of {@code round} steps until one allocates nothing on any of the
     * threads, or fails when the warm-up time is over.
     */
    private static void measure(String what, Parallel par, Runnable step, int round) {
        AllocationMeter.Round least = meter(par).leastUntilZero(step, round, WARM_UP_NANOS);
        System.out.printf("[allocation] %s: %s over %d steps%n", what, least.describe(), round);
        assertEquals(0, least.total(), what + " still allocates after the warm-up: " + least.describe());
    }
}

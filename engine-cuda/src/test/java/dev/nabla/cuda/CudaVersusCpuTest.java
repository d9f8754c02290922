package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.conformance.Compare;
import dev.nabla.conformance.ConformanceSuite;
import dev.nabla.conformance.OperationConformance;
import dev.nabla.conformance.Reference;
import dev.nabla.data.Dataset;
import dev.nabla.example.DocumentExample;
import dev.nabla.model.Network;
import dev.nabla.numerics.Tolerance;
import dev.nabla.train.LayerTrace;
import dev.nabla.train.MemoryPlan;
import dev.nabla.train.StepTrace;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingLoop;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CUDA backend against the CPU backend on the same inputs, on both GEMM paths: op by op on
 * odd shapes, the document's example value by value, and 100 training steps of random networks.
 * Every comparison prints its largest difference, so a GPU run shows how close the two are.
 */
class CudaVersusCpuTest {
    /** Tolerance.CUDA_VERSUS_CPU_FP64 in FP64 (the printed differences show how far below it), else FP32. */
    private static Tolerance tolerance(Precision p) {
        return p == Precision.FP64 ? Tolerance.CUDA_VERSUS_CPU_FP64 : Tolerance.FP32;
    }

    @BeforeAll
    static void requireGpu() {
        Gpu.require();
    }

    private static Backend cuda(Precision p, GemmChoice path) {
        if (path == GemmChoice.CUBLAS) {
            Gpu.requireCublas();
        }
        return CudaBackendProvider.open(p, path);
    }

    private static Backend cpu(Precision p) {
        return Backends.select("cpu", p).backend();
    }

    private static void agree(String what, Precision p, GemmChoice path, double[] cpu, double[] gpu) {
        agree(what, p, path, cpu, gpu, null);
    }

    /**
     * Compares within the precision's bound. FP32's relative part is taken of {@code scale[i]} where
     * given: for a sum, the sum of its terms' magnitudes, since rounding in a sum is relative to its
     * terms, not to a result that cancellation may have made small.
     */
    private static void agree(String what, Precision p, GemmChoice path, double[] cpu, double[] gpu, double[] scale) {
        System.out.printf("[parity] %s %s %-40s max|diff| %.3g%n", path, p.id(), what, Compare.maxDiff(cpu, gpu));
        double[] bound = new double[cpu.length];
        for (int i = 0; i < bound.length; i++) {
            bound[i] = tolerance(p).bound(scale == null ? cpu[i] : scale[i]);
        }
        Compare.within(path + " " + what, cpu, gpu, bound);
    }

    /** One operation's result, with the scale of its rounding error where that is not the result itself. */
    private record Result(double[] values, double[] scale) {}

    @ParameterizedTest
    @EnumSource(
            value = GemmChoice.class,
            names = {"CUBLAS", "KERNELS"})
    void theDocumentsExampleAgreesValueByValue(GemmChoice path) {
        StepTrace[] traces = new StepTrace[2];
        double[] after = new double[2];
        Backend[] backends = {cpu(Precision.FP64), cuda(Precision.FP64, path)};
        for (int b = 0; b < 2; b++) {
            try (Backend be = backends[b];
                    Trainer tr = new Trainer(be, DocumentExample.network(), 1)) {
                traces[b] = tr.traceStep(
                        DocumentExample.INPUT, DocumentExample.TARGET, 0, 1, DocumentExample.LEARNING_RATE);
                after[b] = tr.loss(DocumentExample.INPUT, DocumentExample.TARGET, 0, 1);
            }
        }
        compareTraces("document example", Precision.FP64, path, traces[0], traces[1]);
        agree("document example E_total after", Precision.FP64, path, new double[] {after[0]}, new double[] {after[1]});
    }

    private static void compareTraces(String what, Precision p, GemmChoice path, StepTrace cpu, StepTrace gpu) {
        agree(what + " loss", p, path, new double[] {cpu.loss()}, new double[] {gpu.loss()});
        for (int l = 0; l < cpu.layers().size(); l++) {
            LayerTrace c = cpu.layer(l);
            LayerTrace g = gpu.layer(l);
            String at = what + " layer " + (l + 1) + " ";
            agree(at + "z", p, path, c.preActivation(), g.preActivation());
            agree(at + "a", p, path, c.activation(), g.activation());
            agree(at + "dL/da", p, path, c.outputGradient(), g.outputGradient());
            agree(at + "delta", p, path, c.delta(), g.delta());
            agree(at + "dW", p, path, c.weightGradient(), g.weightGradient());
            if (c.biasGradient() != null) {
                agree(at + "db", p, path, c.biasGradient(), g.biasGradient());
            }
            agree(
                    at + "W+",
                    p,
                    path,
                    cpu.updated().layer(l).weights(),
                    gpu.updated().layer(l).weights());
        }
    }

    static Stream<Arguments> pathsAndPrecisions() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (GemmChoice path : new GemmChoice[] {GemmChoice.CUBLAS, GemmChoice.KERNELS}) {
            for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
                b.add(Arguments.of(path, p));
            }
        }
        return b.build();
    }

    /** Shapes (m, n, k) with 1, 3, 17, 1000, and one larger than a 64 x 64 x 16 tile in every dimension. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {3, 17, 1}, {17, 3, 1000}, {1000, 17, 3}, {1, 1000, 17}, {131, 67, 129}
    };

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pathsAndPrecisions")
    void everyOperationAgreesOnOddShapes(GemmChoice path, Precision p) {
        try (Backend c = cpu(p);
                Backend g = cuda(p, path)) {
            for (int[] s : SHAPES) {
                Map<String, Result> onCpu = runEveryOperation(c, s[0], s[1], s[2]);
                Map<String, Result> onGpu = runEveryOperation(g, s[0], s[1], s[2]);
                for (String key : onCpu.keySet()) {
                    agree(
                            key,
                            p,
                            path,
                            onCpu.get(key).values(),
                            onGpu.get(key).values(),
                            onCpu.get(key).scale());
                }
            }
        }
    }

    /** Every operation once, on inputs drawn from a seed fixed by the shape; returns each result by name. */
    private static Map<String, Result> runEveryOperation(Backend be, int m, int n, int k) {
        SplittableRandom rng = new SplittableRandom(1000L * m + 10L * n + k);
        Map<String, Result> out = new LinkedHashMap<>();
        String shape = m + "x" + n + "x" + k + " ";
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0;
            boolean tb = (t & 2) != 0;
            double beta = t == 0 ? 0.0 : -0.5;
            double[] av = random(rng, m * k);
            double[] bv = random(rng, k * n);
            double[] cv = random(rng, m * n);
            Matrix cm = put(be, m, n, cv);
            be.gemm(ta, tb, 0.75, put(be, ta ? k : m, ta ? m : k, av), put(be, tb ? n : k, tb ? k : n, bv), beta, cm);
            double[] scale =
                    Reference.gemm(ta, tb, m, n, k, 0.75, stored(be, av), stored(be, bv), beta, stored(be, cv))[1];
            out.put(shape + "gemm ta=" + ta + " tb=" + tb, new Result(be.download(cm), scale));
        }
        for (Activation f : Activation.values()) {
            Matrix z = put(be, m, n, random(rng, m * n));
            Matrix a = be.allocate(m, n);
            be.activationForward(f, z, a);
            out.put(shape + f.id() + " forward", new Result(be.download(a), null));
            if (!f.elementwise()) {
                continue; // softmax's gradient is taken with its loss (logitLoss), below
            }
            Matrix g = put(be, m, n, random(rng, m * n));
            Matrix d = be.allocate(m, n);
            be.activationBackward(f, a, g, d);
            out.put(shape + f.id() + " backward", new Result(be.download(d), null));
        }
        Matrix o = put(be, m, n, random(rng, m * n));
        Matrix t = put(be, m, n, random(rng, m * n));
        Matrix delta = be.allocate(m, n);
        Matrix loss = put(be, 1, 1, new double[] {0.25});
        be.mseLoss(o, t, m, delta, 1.0, loss);
        out.put(shape + "mse loss", new Result(be.download(loss), null));
        double[] deltaValues = be.download(delta);
        out.put(shape + "mse delta", new Result(deltaValues, null));
        be.addBias(put(be, 1, n, random(rng, n)), o);
        out.put(shape + "add bias", new Result(be.download(o), null));
        Matrix grad = put(be, 1, n, random(rng, n));
        be.biasGradient(delta, 1.0, grad);
        double[] absDelta = deltaValues.clone();
        for (int i = 0; i < absDelta.length; i++) {
            absDelta[i] = Math.abs(absDelta[i]);
        }
        out.put(shape + "bias gradient", new Result(be.download(grad), Reference.columnSums(absDelta, m, n)));
        be.optimizerUpdate(Optimizer.SGD, put(be, 1, 3, new double[] {0.3, 1, 1}), t, o, null, null);
        out.put(shape + "sgd update", new Result(be.download(o), null));
        for (LogitLoss kind : LogitLoss.values()) {
            Matrix lossAndRight = put(be, 1, 2, new double[] {0.25, 2});
            Matrix d = be.allocate(m, n);
            be.logitLoss(
                    kind,
                    put(be, m, n, random(rng, m * n)),
                    put(be, m, n, unit(rng, m * n)),
                    m + 3,
                    d,
                    1.0,
                    lossAndRight);
            out.put(
                    shape + kind.name().toLowerCase(Locale.ROOT) + " loss",
                    new Result(be.download(lossAndRight), null));
            out.put(shape + kind.name().toLowerCase(Locale.ROOT) + " delta", new Result(be.download(d), null));
        }
        return out;
    }

    private static double[] random(SplittableRandom rng, int count) {
        return OperationConformance.random(rng, count, -2, 2);
    }

    /** Targets in [0, 1]. */
    private static double[] unit(SplittableRandom rng, int count) {
        return OperationConformance.random(rng, count, 0, 1);
    }

    /** The values a backend of this precision holds for {@code v}. */
    private static double[] stored(Backend be, double[] v) {
        double[] out = v.clone();
        if (be.precision() != Precision.FP64) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) out[i];
            }
        }
        return out;
    }

    private static Matrix put(Backend be, int rows, int cols, double[] values) {
        Matrix m = be.allocate(rows, cols);
        be.upload(values, 0, m);
        return m;
    }

    // TF32 against FP64: Tolerance.TF32, of the sum of the terms' magnitudes.

    @Test
    void tf32ProductsAreWithinTf32RoundingOfFp64() {
        Gpu.requireCublas();
        assumeTf32();
        SplittableRandom rng = new SplittableRandom(32);
        int m = 131;
        int n = 67;
        int k = 1000;
        double[] av = random(rng, m * k);
        double[] bv = random(rng, k * n);
        double[] out;
        try (Backend g = CudaBackendProvider.open(Precision.TF32, GemmChoice.CUBLAS)) {
            Matrix c = g.allocate(m, n);
            g.gemm(false, true, 1.0, put(g, m, k, av), put(g, n, k, bv), 0.0, c);
            out = g.download(c);
        }
        double[][] ref = Reference.gemm(false, true, m, n, k, 1.0, av, bv, 0.0, new double[m * n]);
        double[] bound = new double[out.length];
        for (int i = 0; i < bound.length; i++) {
            bound[i] = Tolerance.TF32.bound(ref[1][i]);
        }
        System.out.printf(
                "[parity] CUBLAS tf32 gemm 131x67x1000 vs fp64     max|diff| %.3g%n", Compare.maxDiff(ref[0], out));
        Compare.within("tf32 gemm against fp64", ref[0], out, bound);
    }

    private static void assumeTf32() {
        assumeTrue(CudaRuntime.get().computeCapability >= 80, "tf32 needs compute capability 8.0");
    }

    static Stream<Arguments> networks() {
        Object[][] nets = {
            {new int[] {2, 2, 2}, new Activation[] {Activation.SIGMOID, Activation.SIGMOID}},
            {new int[] {17, 33, 5}, new Activation[] {Activation.TANH, Activation.IDENTITY}},
            {new int[] {3, 70, 65, 4}, new Activation[] {Activation.RELU, Activation.SIGMOID, Activation.SIGMOID}},
            {
                new int[] {9, 16, 16, 16, 2},
                new Activation[] {Activation.SIGMOID, Activation.TANH, Activation.RELU, Activation.SIGMOID}
            },
        };
        Stream.Builder<Arguments> b = Stream.builder();
        for (GemmChoice path : new GemmChoice[] {GemmChoice.CUBLAS, GemmChoice.KERNELS}) {
            for (Object[] net : nets) {
                for (boolean bias : new boolean[] {false, true}) {
                    b.add(Arguments.of(path, net[0], net[1], bias));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} widths {1} bias {3}")
    @MethodSource("networks")
    void aHundredTrainingStepsAgree(GemmChoice path, int[] widths, Activation[] acts, boolean bias) {
        SplittableRandom rng = new SplittableRandom(widths.length * 31L + widths[1] + (bias ? 1 : 0));
        Network net = ConformanceSuite.randomNetwork(rng, widths, acts, bias);
        int batch = 37; // 100 steps: 4 epochs of 25 batches, the last of each shorter
        int samples = 24 * batch + 11;
        double[] x = OperationConformance.random(rng, samples * net.inputs(), -1, 1);
        double[] t = OperationConformance.random(rng, samples * net.outputs(), 0.05, 0.95);
        Dataset data = new Dataset("random", samples, net.inputs(), net.outputs(), x, t);
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            Network[] trained = new Network[2];
            List<List<Double>> losses = List.of(new ArrayList<>(), new ArrayList<>());
            Backend[] backends = {cpu(p), cuda(p, path)};
            for (int b = 0; b < 2; b++) {
                List<Double> l = losses.get(b);
                try (Backend be = backends[b];
                        Trainer tr = new Trainer(be, net, batch)) {
                    TrainingLoop.Result r = TrainingLoop.run(
                            tr,
                            data,
                            new TrainingLoop.Options(4, batch, 0.5, false, 1),
                            TrainingLoop.Listener.onEpoch(e -> l.add(e.loss())));
                    assertEquals(100, r.steps(), "4 epochs of 25 steps");
                    trained[b] = tr.network();
                }
            }
            String what = "100 steps " + net.describe().split(",")[0];
            for (int l = 0; l < net.depth(); l++) {
                agree(
                        what + " W" + (l + 1),
                        p,
                        path,
                        trained[0].layer(l).weights(),
                        trained[1].layer(l).weights());
                if (bias) {
                    agree(
                            what + " b" + (l + 1),
                            p,
                            path,
                            trained[0].layer(l).bias(),
                            trained[1].layer(l).bias());
                }
            }
            agree(
                    what + " epoch losses",
                    p,
                    path,
                    losses.get(0).stream().mapToDouble(Double::doubleValue).toArray(),
                    losses.get(1).stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /** Trains the same network on the same data on the CPU (whole batches) and on the GPU (the given micro-batch). */
    private static void trainBoth(
            GemmChoice path, Network net, Dataset data, int batch, int gpuCapacity, int epochs, String what) {
        Network[] trained = new Network[2];
        Backend[] backends = {cpu(Precision.FP64), cuda(Precision.FP64, path)};
        int[] capacity = {batch, gpuCapacity};
        for (int b = 0; b < 2; b++) {
            try (Backend be = backends[b];
                    Trainer tr = new Trainer(be, net, capacity[b])) {
                TrainingLoop.run(tr, data, new TrainingLoop.Options(epochs, batch, 0.5, false, 1), null);
                trained[b] = tr.network();
            }
        }
        for (int l = 0; l < net.depth(); l++) {
            agree(
                    what + " W" + (l + 1),
                    Precision.FP64,
                    path,
                    trained[0].layer(l).weights(),
                    trained[1].layer(l).weights());
            if (net.layer(l).hasBias()) {
                agree(
                        what + " b" + (l + 1),
                        Precision.FP64,
                        path,
                        trained[0].layer(l).bias(),
                        trained[1].layer(l).bias());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = GemmChoice.class,
            names = {"CUBLAS", "KERNELS"})
    void aBatchOf2To22SamplesOnTheDocumentsNetworkAgrees(GemmChoice path) {
        Gpu.requireRealDevice("a batch of 2^22 samples");
        int n = 1 << 22;
        SplittableRandom rng = new SplittableRandom(22);
        Dataset data = new Dataset(
                "2^22",
                n,
                2,
                2,
                OperationConformance.random(rng, 2 * n, 0, 1),
                OperationConformance.random(rng, 2 * n, 0, 1));
        try (Backend g = cuda(Precision.FP64, path)) {
            int capacity = MemoryPlan.capacityFor(g, DocumentExample.network(), n);
            System.out.println("[parity] " + path + " 2^22 batch: GPU micro-batch " + capacity);
        }
        trainBoth(path, DocumentExample.network(), data, n, n, 3, "2^22 batch, 2-2-2");
    }

    @ParameterizedTest
    @EnumSource(
            value = GemmChoice.class,
            names = {"CUBLAS", "KERNELS"})
    void eightMicroBatchesOnAWiderNetworkAgreeWithWholeBatchesOnTheCpu(GemmChoice path) {
        SplittableRandom rng = new SplittableRandom(8);
        Network net = ConformanceSuite.randomNetwork(
                rng,
                new int[] {64, 256, 256, 8},
                new Activation[] {Activation.SIGMOID, Activation.TANH, Activation.SIGMOID},
                true);
        int batch = Gpu.emulated() ? 1024 : 8192; // the emulated device takes a minute for 8192
        Dataset data = new Dataset(
                "wide",
                2 * batch,
                64,
                8,
                OperationConformance.random(rng, 2 * batch * 64, -1, 1),
                OperationConformance.random(rng, 2 * batch * 8, 0, 1));
        trainBoth(path, net, data, batch, batch / 8, 2, "8 micro-batches, 64-256-256-8");
    }
}

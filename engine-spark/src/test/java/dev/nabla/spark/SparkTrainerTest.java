package dev.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.data.NpyArray;
import dev.nabla.data.SampleSource;
import dev.nabla.data.Samples;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import dev.nabla.model.OptimizerState;
import dev.nabla.numerics.Tolerance;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingLoop;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Distributed training on {@code local[2,4]} against one machine's {@link Trainer} and
 * {@link TrainingLoop} on the CPU: the same steps on the same batches, so the same weights up to
 * the order of the sums; and the same bits run after run, with or without a failed task.
 */
class SparkTrainerTest {
    private static final int SAMPLES = 31;
    /** Odd, and divisible by none of 2, 3 and 4: the parts of a batch differ in size. */
    private static final int BATCH = 7;

    @TempDir
    static Path dir;

    private static SampleSource regression;
    private static SampleSource classes;

    @BeforeAll
    static void writeData() {
        regression = write(dir, "mse", Loss.MSE);
        classes = write(dir, "softmax", Loss.SOFTMAX_CROSS_ENTROPY);
    }

    /**
     * 31 samples of 5 inputs in [-1, 1) and 3 targets: values in [0, 1), or one-hot classes; in
     * {@code NAME-x.npy} and {@code NAME-t.npy} of {@code dir}.
     */
    static SampleSource write(Path dir, String name, Loss loss) {
        SplittableRandom rng = new SplittableRandom(name.hashCode());
        double[] x = new double[SAMPLES * 5];
        double[] t = new double[SAMPLES * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble(-1, 1);
        }
        for (int s = 0; s < SAMPLES; s++) {
            int cls = rng.nextInt(3);
            for (int k = 0; k < 3; k++) {
                t[s * 3 + k] = loss == Loss.MSE ? rng.nextDouble() : k == cls ? 1 : 0;
            }
        }
        Path xs = dir.resolve(name + "-x.npy");
        Path ts = dir.resolve(name + "-t.npy");
        NpyArray.write(xs, x, SAMPLES, 5);
        NpyArray.write(ts, t, SAMPLES, 3);
        return SampleSource.npy(xs.toString(), ts.toString());
    }

    /** Depth 2 to 4, hidden widths 9, 6, 4 (depth 2 and 3 wider than the CPU backend fuses). */
    static Network network(Loss loss, int depth, boolean bias) {
        Activation[] hidden = {Activation.TANH, Activation.SIGMOID, Activation.RELU};
        int[] widths = {9, 6, 4};
        Network.Builder b = Network.builder(5);
        for (int l = 0; l < depth - 1; l++) {
            b.dense(widths[l], hidden[l], bias);
        }
        Activation out = loss.classification() ? loss.logitLoss().output() : Activation.SIGMOID;
        return b.dense(3, out, bias).loss(loss).build(100L * depth + (bias ? 1 : 0));
    }

    static final Optimizer MOMENTUM = Optimizer.sgd(0.9, false, 0.0);
    static final Optimizer ADAM = Optimizer.adam(0.9, 0.999, 1e-8, 0.0);

    record Case(
            int parts, int depth, boolean bias, boolean shuffle, Optimizer optimizer, Precision precision, Loss loss) {
        @Override
        public String toString() {
            return parts + " partitions, depth " + depth + (bias ? "" : " no bias") + (shuffle ? ", shuffled" : "")
                    + ", " + optimizer.kind().id() + ", " + precision.id() + ", " + loss.id();
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        int i = 0;
        for (int parts = 1; parts <= 4; parts++) {
            for (int depth = 2; depth <= 4; depth++) {
                boolean bias = i % 2 == 0;
                boolean shuffle = i % 3 != 1;
                Optimizer o = i % 2 == 0 ? ADAM : MOMENTUM;
                all.add(Arguments.of(new Case(parts, depth, bias, shuffle, o, Precision.FP64, Loss.MSE)));
                i++;
            }
            // FP32 with momentum: Adam turns a gradient near 0, where float's reordered roundings are
            // all there is, into a step of about the learning rate, so no float bound holds for it.
            all.add(Arguments.of(new Case(parts, 3, parts % 2 == 0, parts > 2, MOMENTUM, Precision.FP32, Loss.MSE)));
        }
        all.add(Arguments.of(new Case(3, 3, true, true, MOMENTUM, Precision.FP64, Loss.SOFTMAX_CROSS_ENTROPY)));
        all.add(Arguments.of(new Case(2, 2, false, false, MOMENTUM, Precision.FP32, Loss.SOFTMAX_CROSS_ENTROPY)));
        return all.stream();
    }

    static TrainingLoop.Options options(boolean shuffle) {
        return new TrainingLoop.Options(2, BATCH, 0.05, shuffle, 17);
    }

    record Trained(Network network, OptimizerState state, double lastLoss) {}

    /** One machine: the trainer and the loop, on the CPU, over the same files. */
    static Trained single(Network net, SampleSource data, TrainingLoop.Options o, Optimizer opt, Precision p) {
        Samples samples = data.open();
        try (Selection s = Backends.select("cpu", p);
                Trainer t = new Trainer(s.backend(), net, BATCH, opt)) {
            TrainingLoop.Result r = TrainingLoop.run(t, samples, o, null);
            return new Trained(t.network(), t.optimizerState(), r.lastLoss());
        }
    }

    static SparkTrainer.Result distributed(
            Network net,
            SampleSource data,
            TrainingLoop.Options o,
            Optimizer opt,
            Precision p,
            int parts,
            TaskHook hook) {
        return distributed(
                net,
                data,
                o,
                opt,
                SparkTrainer.Config.of(parts, p).withBackend("cpu").withHook(hook));
    }

    static SparkTrainer.Result distributed(
            Network net, SampleSource data, TrainingLoop.Options o, Optimizer opt, SparkTrainer.Config c) {
        return new SparkTrainer(SharedSpark.get(), c).train(net, data, o, OptimizerState.fresh(opt, net), null);
    }

    static void assertSameParameters(Network expected, Network actual, double tolerance, String what) {
        for (int l = 0; l < expected.depth(); l++) {
            assertArrayEquals(expected.layer(l).weights(), actual.layer(l).weights(), tolerance, what + ": layer " + l);
            if (expected.layer(l).hasBias()) {
                assertArrayEquals(expected.layer(l).bias(), actual.layer(l).bias(), tolerance, what + ": bias " + l);
            } else {
                assertNull(actual.layer(l).bias());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void trainsAsOneMachine(Case c) {
        Network net = network(c.loss(), c.depth(), c.bias());
        SampleSource data = c.loss() == Loss.MSE ? regression : classes;
        TrainingLoop.Options o = options(c.shuffle());
        Trained one = single(net, data, o, c.optimizer(), c.precision());
        SparkTrainer.Result spark = distributed(net, data, o, c.optimizer(), c.precision(), c.parts(), TaskHook.NONE);
        // FP64: the same rules on partition sums added in another order (1e-16 each, over 10 steps);
        // FP32: the parts' sums are added in double on the driver, one machine's in float on its backend.
        // One partition: the same product over the same rows, the sum 0 + g exact, so the same bits.
        double tolerance = c.parts() == 1
                ? 0.0
                : c.precision() == Precision.FP64 ? Tolerance.FP64_OPTIMIZED.absolute() : Tolerance.FP32.bound(1);
        assertSameParameters(one.network(), spark.network(), tolerance, c.toString());
        assertEquals(one.state().steps(), spark.optimizerState().steps());
        for (int k = 0; k < one.state().tensors().size(); k++) {
            assertArrayEquals(
                    one.state().tensors().get(k),
                    spark.optimizerState().tensors().get(k),
                    tolerance,
                    "optimizer state " + k);
        }
        // The epoch's mean loss, summed the same two ways.
        assertEquals(one.lastLoss(), spark.run().lastLoss(), tolerance);
        int steps = 2 * ((SAMPLES + BATCH - 1) / BATCH);
        assertEquals(steps, spark.run().steps());
        assertEquals(8L * net.parameterCount() * steps, spark.broadcastBytes());
        assertEquals(c.parts(), spark.executors().size());
        for (ExecutorReport r : spark.executors()) {
            assertEquals(SAMPLES, r.samples());
            assertTrue(r.backend().contains("cpu"), r.backend());
        }
    }

    @Test
    void twoRunsGiveTheSameBits() {
        Network net = network(Loss.MSE, 3, true);
        TrainingLoop.Options o = options(true);
        SparkTrainer.Result a = distributed(net, regression, o, ADAM, Precision.FP64, 3, TaskHook.NONE);
        SparkTrainer.Result b = distributed(net, regression, o, ADAM, Precision.FP64, 3, TaskHook.NONE);
        // Bit for bit: the sums are added in partition order, never in the order the tasks finish.
        assertSameParameters(a.network(), b.network(), 0.0, "run twice");
        for (int k = 0; k < a.optimizerState().tensors().size(); k++) {
            assertArrayEquals(
                    a.optimizerState().tensors().get(k),
                    b.optimizerState().tensors().get(k),
                    0.0);
        }
    }

    @Test
    void theReduceScatterAddsTheCollectedSumsBitForBit() {
        Network net = network(Loss.SOFTMAX_CROSS_ENTROPY, 3, true);
        TrainingLoop.Options o = options(true);
        SparkTrainer.Config c = SparkTrainer.Config.of(3, Precision.FP64).withBackend("cpu");
        SparkTrainer.Result collected = distributed(net, classes, o, ADAM, c.withExchange(ExchangeChoice.COLLECT));
        SparkTrainer.Result scattered =
                distributed(net, classes, o, ADAM, c.withExchange(ExchangeChoice.REDUCE_SCATTER));
        assertEquals("collect", collected.exchange());
        assertEquals("reduce-scatter in 3 chunks", scattered.exchange());
        // Each entry is added from partition 0 up, starting from zero, by the driver or by a reducer.
        assertSameParameters(collected.network(), scattered.network(), 0.0, "reduce-scatter against collect");
        assertEquals(collected.run().lastLoss(), scattered.run().lastLoss(), 0.0);
        long steps = scattered.run().steps();
        long p = net.parameterCount();
        // The driver receives one gradient a step, the executors shuffle every partition's.
        assertEquals(steps * (8 * p + 3 * 40), scattered.resultBytes());
        assertEquals(steps * 3 * 8 * p, scattered.shuffleBytes());
        assertEquals(steps * 3 * (8 * p + 40), collected.resultBytes());
        assertEquals(0, collected.shuffleBytes());
    }

    @Test
    void theExchangeIsChosenByTheBytesTheDriverWouldHold() {
        long p = 25_000_000; // the wide workload: 200 MB of FP64 gradient
        assertEquals("collect", Exchange.choose(1, p, SparkTrainer.DRIVER_BYTES).name());
        assertEquals(
                "reduce-scatter in 8 chunks",
                Exchange.choose(8, p, SparkTrainer.DRIVER_BYTES).name());
        assertEquals(
                "collect",
                Exchange.choose(8, 1_000_000, SparkTrainer.DRIVER_BYTES).name());
        // Chunks of at most 32 MiB, at least one per partition, never more than the parameters.
        assertEquals(6, ReduceScatterExchange.chunksFor(p, 2));
        assertEquals(16, ReduceScatterExchange.chunksFor(p, 16));
        assertEquals(5, ReduceScatterExchange.chunksFor(5, 8));
    }

    @Test
    void dataAnExecutorCannotOpenIsTheOneLineOneMachinePrints() {
        Network net = network(Loss.MSE, 2, true);
        Path missing = dir.resolve("missing-x.npy");
        SampleSource data = SampleSource.npy(
                missing.toString(), dir.resolve("missing-t.npy").toString());
        InputException e = assertThrows(
                InputException.class,
                () -> distributed(net, data, options(false), MOMENTUM, Precision.FP64, 2, TaskHook.NONE));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        assertTrue(e.getMessage().endsWith("(partition 0, executor driver on " + host() + ")"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void filesNamedByUrisAreReadThroughHadoopsFileSystems() {
        SharedSpark.get()
                .hadoopConfiguration()
                .set("fs." + SchemeLocalFileSystem.SCHEME + ".impl", SchemeLocalFileSystem.class.getName());
        Network net = network(Loss.MSE, 3, true);
        TrainingLoop.Options o = options(true);
        // The inputs through the stand-in remote file system, the targets by a file: URI.
        SampleSource uris = SampleSource.npy(
                SchemeLocalFileSystem.SCHEME + "://"
                        + dir.resolve("mse-x.npy").toUri().getPath(),
                dir.resolve("mse-t.npy").toUri().toString());
        SparkTrainer.Config c = SparkTrainer.Config.of(2, Precision.FP64).withBackend("cpu");
        SparkTrainer.Result plain = distributed(net, regression, o, MOMENTUM, c);
        SparkTrainer.Result remote = distributed(net, uris, o, MOMENTUM, c);
        assertSameParameters(plain.network(), remote.network(), 0.0, "read through Hadoop");

        String missing = SchemeLocalFileSystem.SCHEME + "://"
                + dir.resolve("gone-x.npy").toUri().getPath();
        InputException gone = assertThrows(
                InputException.class,
                () -> distributed(net, SampleSource.npy(missing, uris.files().get(1)), o, MOMENTUM, c));
        assertTrue(
                gone.getMessage().startsWith(missing + ": no such file (partition 0, executor driver"),
                gone.getMessage());

        InputException unknown = assertThrows(
                InputException.class,
                () -> distributed(
                        net, SampleSource.npy("nosuchfs:///x.npy", uris.files().get(1)), o, MOMENTUM, c));
        assertTrue(unknown.getMessage().startsWith("nosuchfs:///x.npy: cannot be read: "), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("nosuchfs"), unknown.getMessage());
        assertFalse(unknown.getMessage().contains("\n"), unknown.getMessage());
    }

    @Test
    void aTaskThatFailsEveryAttemptStopsTheRunWithOneLine() {
        Network net = network(Loss.MSE, 2, true);
        TaskHook always = (step, partition, attempt) -> {
            if (step == 2 && partition == 0) {
                throw new IllegalStateException("injected failure of every attempt");
            }
        };
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> distributed(net, regression, options(false), MOMENTUM, Precision.FP64, 2, always));
        assertTrue(e.getMessage().startsWith("Spark's job for step 2 failed: Job aborted"), e.getMessage());
        assertTrue(e.getMessage().contains("injected failure of every attempt"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "?";
        }
    }

    @Test
    void consecutivePartitionsOnOneExecutorShareALine() {
        List<ExecutorReport> r = List.of(
                new ExecutorReport(0, "1", "a", "cpu fp64", 9, 2, 1, null),
                new ExecutorReport(1, "1", "a", "cpu fp64", 9, 2, 1, null),
                new ExecutorReport(2, "2", "b", "cuda fp64", 9, 2, 1, null),
                new ExecutorReport(3, "1", "a", "cpu fp64", 9, 2, 1, null),
                new ExecutorReport(4, "1", "a", "cpu fp64", 9, 2, 1, null),
                new ExecutorReport(5, "1", "a", "cpu fp64", 9, 2, 1, null));
        assertEquals(
                List.of(
                        "partitions 0, 1: executor 1 on a, cpu fp64",
                        "partition 2: executor 2 on b, cuda fp64",
                        "partitions 3-5: executor 1 on a, cpu fp64"),
                ExecutorReport.lines(r));
    }

    @Test
    void partitionsWithoutRowsAddNothing() {
        Network net = network(Loss.MSE, 2, true);
        TrainingLoop.Options o = new TrainingLoop.Options(1, 3, 0.1, false, 1); // batches of 3 over 4 partitions
        Trained one = single(net, regression, o, MOMENTUM, Precision.FP64);
        SparkTrainer.Result spark = distributed(net, regression, o, MOMENTUM, Precision.FP64, 4, TaskHook.NONE);
        // Reordered sums over 11 steps, as above.
        assertSameParameters(one.network(), spark.network(), Tolerance.FP64_OPTIMIZED.absolute(), "3 rows, 4 parts");
    }

    /** Counts the tasks that ended in failure, as Spark's listener bus tells them. */
    static final class FailedTasks extends SparkListener {
        final AtomicInteger failed = new AtomicInteger();

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskInfo().failed()) {
                failed.incrementAndGet();
            }
        }
    }

    @Test
    void aFailedTaskIsRetriedToTheSameWeights() throws InterruptedException {
        Network net = network(Loss.MSE, 3, false);
        TrainingLoop.Options o = options(true);
        SparkTrainer.Result clean = distributed(net, regression, o, ADAM, Precision.FP64, 3, TaskHook.NONE);
        FailedTasks listener = new FailedTasks();
        SharedSpark.get().sc().addSparkListener(listener);
        try {
            TaskHook failOnce = (step, partition, attempt) -> {
                if (step == 3 && partition == 1 && attempt == 0) {
                    throw new IllegalStateException("injected failure: step 3, partition 1, first attempt");
                }
            };
            List<StepReport> reports = new ArrayList<>();
            SparkTrainer.Listener steps = new SparkTrainer.Listener() {
                @Override
                public void stepDone(StepReport r) {
                    reports.add(r);
                }
            };
            SparkTrainer.Result retried = new SparkTrainer(
                            SharedSpark.get(),
                            SparkTrainer.Config.of(3, Precision.FP64)
                                    .withBackend("cpu")
                                    .withHook(failOnce))
                    .train(net, regression, o, OptimizerState.fresh(ADAM, net), steps);
            assertEquals(10, reports.size());
            long p = net.parameterCount();
            for (StepReport r : reports) {
                assertEquals(
                        r.step().step() == 3 ? 1 : 0,
                        r.failedAttempts(),
                        "failed attempts of step " + r.step().step());
                assertEquals(8 * p, r.broadcastBytes());
                assertEquals(3 * (8 * p + 40), r.resultBytes()); // 7 or 3 rows: every partition has some
                assertTrue(r.computeNanos() > 0 && r.exchangeNanos() >= 0 && r.updateNanos() > 0, r.toString());
                assertTrue(r.wallNanos() >= r.computeNanos() + r.updateNanos(), r.toString());
            }
            // Bit for bit: the retried task computes the same part from the same broadcast weights.
            assertSameParameters(clean.network(), retried.network(), 0.0, "after a retried task");
            assertEquals(1, retried.failedAttempts());
            for (int wait = 0; wait < 100 && listener.failed.get() == 0; wait++) {
                Thread.sleep(20); // the listener bus delivers events on its own thread
            }
            assertEquals(1, listener.failed.get());
        } finally {
            SharedSpark.get().sc().removeSparkListener(listener);
        }
    }
}

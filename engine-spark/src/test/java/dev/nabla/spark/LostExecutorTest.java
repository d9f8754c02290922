package dev.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.backend.Backends;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.spark.ExecutorLostFailure;
import org.apache.spark.Resubmitted$;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.Success$;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A lost executor costs a recomputation, not the run. Spark's {@code local-cluster[2,1,1024]}
 * starts a master and two workers in this JVM, and each worker an executor JVM of one core (no
 * Spark installation: with {@code spark.testing} the executors get this JVM's class path). In
 * step 3 one executor halts, as a machine that dies does; Spark computes its lost parts again on
 * the other executor or on the one its worker starts instead, and the run ends with the weights of
 * a fault-free run on the same partitions, bit for bit, with either exchange.
 *
 * <p>Only one Spark context may live in a JVM and {@link SharedSpark} holds the other tests' one,
 * so this class runs in a surefire execution of its own ({@code lost-executor} in the module's
 * pom), which sets {@code spark.testing} and {@code spark.test.home}; elsewhere it is skipped.
 */
class LostExecutorTest {
    private static final int SAMPLES = 31;
    private static final int BATCH = 7;
    /** Three parts on two one-core executors: each executor starts one, and one of them takes the third. */
    private static final int PARTS = 3;
    /** The step in which the executor dies: after two clean ones, so there is a run to lose. */
    private static final long FATAL_STEP = 3;
    /** An executor JVM starts and registers in 5 to 20 s on two loaded cores. */
    private static final long EXECUTOR_WAIT_SECONDS = 90;

    @TempDir
    static Path dir;

    private static JavaSparkContext spark;
    private static SampleSource data;
    private static Network network;
    private static TrainingLoop.Options options;
    private static Network oneMachine;

    @BeforeAll
    static void startCluster() throws InterruptedException {
        assumeTrue(
                "1".equals(System.getProperty("spark.testing")),
                "needs a JVM of its own with spark.testing=1: surefire's lost-executor execution");
        data = write();
        network = SparkTrainerTest.network(Loss.MSE, 3, true);
        options = new TrainingLoop.Options(2, BATCH, 0.05, true, 17);
        oneMachine = singleMachine();
        SparkConf conf = new SparkConf()
                .setMaster("local-cluster[2,1,1024]")
                .setAppName("nabla-lost-executor-test")
                .set("spark.ui.enabled", "false")
                // Within the 1024 MB each worker offers.
                .set("spark.executor.memory", "512m")
                // Else the executor launcher looks for Spark's build tree to learn the Scala version.
                .set("spark.executorEnv.SPARK_SCALA_VERSION", "2.13")
                // Spark prepends its module options (the Vector API among them) to these; the executors
                // compute on their task's thread alone, as the tests' own JVM does.
                .set("spark.executor.extraJavaOptions", "-Dnabla.cpu.threads=1")
                // The default, said here because the test depends on it: the lost task's first failure
                // counts towards the four.
                .set("spark.task.maxFailures", "4")
                // A task that fetches the step's broadcast from the dying executor, before the driver
                // knows it is gone, tries again after this wait (5 s by default), then elsewhere.
                .set("spark.shuffle.io.retryWait", "100ms");
        spark = new JavaSparkContext(conf);
        awaitExecutors();
    }

    @AfterAll
    static void stopCluster() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** 31 samples of 5 inputs in [-1, 1) and 3 targets in [0, 1), in the temporary folder every JVM here sees. */
    private static SampleSource write() {
        SplittableRandom rng = new SplittableRandom(31);
        double[] x = new double[SAMPLES * 5];
        double[] t = new double[SAMPLES * 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble(-1, 1);
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = rng.nextDouble();
        }
        Path xs = dir.resolve("x.npy");
        Path ts = dir.resolve("t.npy");
        NpyArray.write(xs, x, SAMPLES, 5);
        NpyArray.write(ts, t, SAMPLES, 3);
        return SampleSource.npy(xs.toString(), ts.toString());
    }

    private static Network singleMachine() {
        Samples samples = data.open();
        try (Selection s = Backends.select("cpu", Precision.FP64);
                Trainer t = new Trainer(s.backend(), network, BATCH, SparkTrainerTest.ADAM)) {
            TrainingLoop.run(t, samples, options, null);
            return t.network();
        }
    }

    /**
     * Both executors taking tasks: at the start, and again once a worker has relaunched a lost
     * one. A registered executor takes none until it reports its executor started, so this runs
     * jobs of two parts, each a moment long so that neither executor takes both, until they ran
     * in two (which also loads the classes a fresh executor JVM needs).
     */
    private static void awaitExecutors() throws InterruptedException {
        awaitOrFail(
                EXECUTOR_WAIT_SECONDS,
                () -> registered() >= 2 && executorsTakingTasks() >= 2,
                () -> "two executors" + " taking tasks, seeing " + registered() + " registered");
    }

    private static int registered() {
        return spark.sc().getExecutorIds().size();
    }

    private static long executorsTakingTasks() {
        return spark
                .parallelize(List.of(0, 1), 2)
                .map(i -> {
                    Thread.sleep(100);
                    return SparkEnv.get().executorId();
                })
                .collect()
                .stream()
                .distinct()
                .count();
    }

    private static void awaitOrFail(long seconds, BooleanSupplier done, Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            if (spark.sc().isStopped()) {
                fail("Spark stopped while waiting for " + what.get());
            }
            if (System.nanoTime() > deadline) {
                fail("no " + what.get() + " after " + seconds + " s");
            }
            Thread.sleep(50);
        }
    }

    @Test
    void theExecutorsAreJvmsOfTheirOwnWithTheEnginesOptions() {
        long driver = ProcessHandle.current().pid();
        List<String> seen = spark.parallelize(List.of(0, 1), 2)
                .map(i -> ProcessHandle.current().pid() + " " + System.getProperty("nabla.cpu.threads") + " "
                        + ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent())
                .collect();
        for (String s : seen) {
            String[] f = s.split(" ");
            assertNotEquals(Long.toString(driver), f[0], "a task ran in the driver's JVM");
            assertEquals("1", f[1], "nabla.cpu.threads on an executor");
            assertEquals("true", f[2], "the Vector API module on an executor");
        }
    }

    /**
     * Halts the JVM of the executor that starts a second task of step {@code step} first, once.
     * Three parts on two one-core executors: one of them runs two, the first to finish its first
     * part. Its first task's output is then on it (the reduce-scatter's map output, lost with it)
     * and its second task is running (lost too). It writes its id to {@code marker} just before it
     * halts; the file's existence keeps it to once, whatever JVM runs a later attempt.
     */
    record HaltInSecondTask(long step, String marker) implements TaskHook {
        /** Each JVM's first attempts of the step so far, by marker: one count per test case. */
        private static final Map<String, AtomicInteger> STARTED = new ConcurrentHashMap<>();

        @Override
        public void beforeStep(long s, int partition, int attempt) {
            if (s != step || attempt != 0) {
                return;
            }
            if (STARTED.computeIfAbsent(marker, k -> new AtomicInteger()).incrementAndGet() == 2) {
                try {
                    Files.writeString(Path.of(marker), SparkEnv.get().executorId(), StandardOpenOption.CREATE_NEW);
                } catch (FileAlreadyExistsException e) {
                    return; // an executor has died already
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                Runtime.getRuntime().halt(1);
            }
        }
    }

    /** What Spark's listener bus told of lost executors and of tasks that did not succeed. */
    static final class Losses extends SparkListener {
        final List<String> removed = new CopyOnWriteArrayList<>();
        final List<ExecutorLostFailure> lostTasks = new CopyOnWriteArrayList<>();
        final AtomicInteger resubmitted = new AtomicInteger();
        final List<String> otherFailures = new CopyOnWriteArrayList<>();

        @Override
        public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
            removed.add(e.executorId() + " (" + e.reason() + ")");
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd e) {
            if (e.reason() instanceof ExecutorLostFailure lost) {
                lostTasks.add(lost);
            } else if (e.reason() instanceof Resubmitted$) {
                resubmitted.incrementAndGet();
            } else if (!(e.reason() instanceof Success$)) {
                otherFailures.add(e.reason().toString());
            }
        }
    }

    private static SparkTrainer.Result train(SparkTrainer.Config config, List<StepReport> reports) {
        SparkTrainer.Listener steps = new SparkTrainer.Listener() {
            @Override
            public void stepDone(StepReport r) {
                reports.add(r);
            }
        };
        return new SparkTrainer(spark, config)
                .train(network, data, options, OptimizerState.fresh(SparkTrainerTest.ADAM, network), steps);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ExchangeChoice.class)
    void aLostExecutorCostsARecomputationNotTheRun(ExchangeChoice exchange) throws InterruptedException, IOException {
        awaitExecutors(); // the executor an earlier case lost is relaunched by its worker
        SparkTrainer.Config config =
                SparkTrainer.Config.of(PARTS, Precision.FP64).withBackend("cpu").withExchange(exchange);
        SparkTrainer.Result clean = train(config, new ArrayList<>());
        Set<String> ran = new TreeSet<>();
        clean.executors().forEach(r -> ran.add(r.executor()));
        assertEquals(2, ran.size(), "the parts ran on executors " + ran);
        // One machine's steps, the partitions' sums added in another order (1e-16 relative each).
        assertSameParameters(oneMachine, clean.network(), Tolerance.FP64_OPTIMIZED.absolute(), "against one machine");

        Path marker = dir.resolve("halted-" + exchange);
        Losses losses = new Losses();
        spark.sc().addSparkListener(losses);
        try {
            List<StepReport> reports = new ArrayList<>();
            SparkTrainer.Result survived =
                    train(config.withHook(new HaltInSecondTask(FATAL_STEP, marker.toString())), reports);
            assertTrue(Files.exists(marker), "no executor took a second task of step " + FATAL_STEP);
            String victim = Files.readString(marker);

            // Bit for bit: every lost part is computed again from the same broadcast weights, and the
            // parts are added in partition order whichever executor computed them.
            assertSameParameters(clean.network(), survived.network(), 0.0, "after executor " + victim + " was lost");
            for (int k = 0; k < clean.optimizerState().tensors().size(); k++) {
                assertArrayEquals(
                        clean.optimizerState().tensors().get(k),
                        survived.optimizerState().tensors().get(k),
                        0.0,
                        "optimizer state " + k);
            }
            assertEquals(clean.run().lastLoss(), survived.run().lastLoss(), 0.0);
            assertEquals(clean.run().steps(), survived.run().steps());

            // The collect loses the running task only (the first one's result is already with the driver);
            // the reduce-scatter also loses the first task's map output, which Spark computes again.
            int recomputed = exchange == ExchangeChoice.COLLECT ? 1 : 2;
            assertEquals(10, reports.size());
            for (StepReport r : reports) {
                assertEquals(
                        r.step().step() == FATAL_STEP ? recomputed : 0,
                        r.failedAttempts(),
                        "failed attempts of step " + r.step().step());
            }
            assertEquals(recomputed, survived.failedAttempts());

            int resubmitted = recomputed - 1;
            awaitOrFail(
                    10,
                    () -> !losses.removed.isEmpty()
                            && !losses.lostTasks.isEmpty()
                            && losses.resubmitted.get() >= resubmitted,
                    () -> "executor loss told by the listener bus");
            System.out.println(exchange + ": executor removed " + losses.removed + ", lost tasks "
                    + losses.lostTasks.stream()
                            .map(ExecutorLostFailure::toErrorString)
                            .toList() + ", resubmitted "
                    + losses.resubmitted.get());
            assertEquals(1, losses.removed.size(), losses.removed.toString());
            assertTrue(losses.removed.get(0).startsWith(victim + " "), losses.removed.toString());
            assertEquals(1, losses.lostTasks.size(), losses.lostTasks.toString());
            assertEquals(victim, losses.lostTasks.get(0).execId());
            assertTrue(losses.lostTasks.get(0).exitCausedByApp(), losses.lostTasks.toString());
            assertEquals(resubmitted, losses.resubmitted.get());
            assertEquals(List.of(), losses.otherFailures);
        } finally {
            spark.sc().removeSparkListener(losses);
        }
    }

    private static void assertSameParameters(Network expected, Network actual, double tolerance, String what) {
        for (int l = 0; l < expected.depth(); l++) {
            assertArrayEquals(expected.layer(l).weights(), actual.layer(l).weights(), tolerance, what + ": layer " + l);
            if (expected.layer(l).hasBias()) {
                assertArrayEquals(expected.layer(l).bias(), actual.layer(l).bias(), tolerance, what + ": bias " + l);
            } else {
                assertNull(actual.layer(l).bias());
            }
        }
    }
}

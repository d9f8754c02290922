package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.model.Checkpoint;
import dev.nabla.model.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code engine train --spark local[2,4]} in this JVM against {@code engine train}: the same
 * options train the same network on the same batches, so the weights agree but for the order of
 * the sums, and a checkpoint of either kind of run resumes on the other. Each run starts and
 * stops its own Spark context, as the command does.
 */
class SparkTrainCommandTest {
    /** Reordered sums of FP64 gradients over 36 Adam steps: a few ulps each. */
    private static final double REORDERED = 1e-12;

    @TempDir
    static Path dir;

    private static Path data;
    private static Checkpoint oneMachine;

    /** 600 samples of 3 features of very different scales, 4 classes; the options one machine trains with. */
    @BeforeAll
    static void trainOnOneMachine() throws IOException {
        SplittableRandom rng = new SplittableRandom(11);
        StringBuilder csv = new StringBuilder("a,b,c,class\n");
        for (int r = 0; r < 600; r++) {
            int c = rng.nextInt(4);
            csv.append(1000 + 300 * c + 200 * rng.nextGaussian())
                    .append(',')
                    .append(0.01 * (rng.nextGaussian() - c))
                    .append(',')
                    .append(rng.nextGaussian())
                    .append(',')
                    .append(c)
                    .append('\n');
        }
        data = Files.writeString(dir.resolve("classes.csv"), csv);
        oneMachine = Checkpoint.read(train("one.safetensors", 3));
    }

    /** The options of every run here, for {@code epochs} epochs, saved to {@code save}, then {@code more}. */
    private static String[] options(String save, int epochs, String... more) {
        List<String> a = new ArrayList<>(List.of(
                "train",
                "--data",
                data.toString(),
                "--labels",
                "--optimizer",
                "adam",
                "--lr",
                "0.01",
                "--epochs",
                Integer.toString(epochs),
                "--batch",
                "50",
                "--shuffle",
                "--seed",
                "5",
                "--validation",
                "0.2",
                "--standardize",
                "--backend",
                "cpu",
                "--save",
                dir.resolve(save).toString()));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    private static Path train(String save, int epochs, String... more) {
        Cli r = Cli.run(options(save, epochs, more));
        assertEquals(0, r.code(), r.toString());
        return dir.resolve(save);
    }

    private static String[] spark(String... more) {
        List<String> a = new ArrayList<>(List.of("--spark", "local[2,4]", "--partitions", "3"));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    private static void assertSameRun(Checkpoint expected, Checkpoint actual, double tolerance) {
        Network e = expected.network();
        Network a = actual.network();
        for (int l = 0; l < e.depth(); l++) {
            assertArrayEquals(e.layer(l).weights(), a.layer(l).weights(), tolerance, "layer " + l);
            assertArrayEquals(e.layer(l).bias(), a.layer(l).bias(), tolerance, "bias " + l);
        }
        assertEquals(e.inputScaling(), a.inputScaling(), "the standardization fitted on the same training samples");
        assertEquals(
                expected.optimizerTensors().keySet(), actual.optimizerTensors().keySet());
        for (String name : expected.optimizerTensors().keySet()) {
            assertArrayEquals(
                    expected.optimizerTensors().get(name),
                    actual.optimizerTensors().get(name),
                    tolerance,
                    name);
        }
        assertEquals(expected.get("nabla.steps_done"), actual.get("nabla.steps_done"));
        assertEquals(expected.get("nabla.optimizer_steps"), actual.get("nabla.optimizer_steps"));
    }

    @Test
    void trainsAsOneMachineAndSaysWhereEachPartitionRan() {
        Cli r = Cli.run(options("spark.safetensors", 3, spark()));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("cluster: Spark 4.0.1, master local[2,4]"), r.out());
        // Local mode: every partition in the driver's JVM, on its CPU backend.
        assertTrue(r.out().contains("  partitions 0-2: executor driver on "), r.out());
        assertTrue(r.out().contains("exchange: collect over 3 partitions; per step"), r.out());
        assertTrue(r.out().contains("trained 1,440 samples in 30 steps"), r.out());
        // Held-out samples drawn from the seed, inputs standardized, Adam: all as on one machine.
        assertSameRun(oneMachine, Checkpoint.read(dir.resolve("spark.safetensors")), REORDERED);
    }

    @Test
    void aDistributedRunResumesToTheUninterruptedRunBitForBit() {
        Path straight = train("straight.safetensors", 3, spark());
        Path part = train("part.safetensors", 1, spark());
        Cli resumed = Cli.run(options("part.safetensors", 3, spark("--resume", part.toString())));
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.out().contains("resumed at epoch 2 step 1"), resumed.out());
        assertSameRun(Checkpoint.read(straight), Checkpoint.read(part), 0.0);
    }

    @Test
    void eitherKindOfRunResumesTheOthers() {
        Path fromOne = train("from-one.safetensors", 1);
        Cli onSpark = Cli.run(options("from-one.safetensors", 3, spark("--resume", fromOne.toString())));
        assertEquals(0, onSpark.code(), onSpark.toString());
        assertSameRun(oneMachine, Checkpoint.read(fromOne), REORDERED);

        Path fromSpark = train("from-spark.safetensors", 1, spark());
        Cli onOne = Cli.run(options("from-spark.safetensors", 3, "--resume", fromSpark.toString()));
        assertEquals(0, onOne.code(), onOne.toString());
        assertSameRun(oneMachine, Checkpoint.read(fromSpark), REORDERED);
    }

    @Test
    void badDataIsTheOneLineOneMachinePrints() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.csv"), "1,2,0\n3,x,1\n");
        Cli r = Cli.run("train", "--data", bad.toString(), "--labels", "--spark", "local[2]");
        Cli one = Cli.run("train", "--data", bad.toString(), "--labels");
        assertEquals(2, r.code(), r.toString());
        assertEquals(one.errorLine(), r.errorLine());
        assertTrue(r.errorLine().startsWith("engine: " + bad), r.errorLine());
        Cli missing = Cli.run("train", "--data", dir.resolve("none.csv").toString(), "--spark", "local[2]");
        assertEquals(2, missing.code(), missing.toString());
        assertEquals(1, missing.err().lines().count(), missing.err());
        Cli uri = Cli.run("train", "--data", "hdfs://namenode:8020/data/x.npy", "--spark", "local[2]");
        assertEquals(2, uri.code(), uri.toString());
        assertTrue(uri.errorLine().startsWith("engine: hdfs:/namenode:8020/data/x.npy: a URI, but"), uri.errorLine());
        assertTrue(uri.errorLine().contains("SparkTrainer"), uri.errorLine());
    }

    @Test
    void partitionsNeedSpark() {
        Cli r = Cli.run("train", "--partitions", "2");
        assertEquals(2, r.code());
        assertEquals("engine: --partitions needs --spark", r.errorLine());
        Cli zero = Cli.run("train", "--spark", "local[2]", "--partitions", "0");
        assertEquals("engine: --partitions must be at least 1, not 0", zero.errorLine());
    }
}

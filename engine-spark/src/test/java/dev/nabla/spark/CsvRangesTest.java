package dev.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import dev.nabla.backend.Precision;
import dev.nabla.data.CsvData;
import dev.nabla.data.Dataset;
import dev.nabla.data.InputScaling;
import dev.nabla.data.SampleSource;
import dev.nabla.data.Samples;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import dev.nabla.numerics.Tolerance;
import dev.nabla.train.TrainingLoop;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A CSV file on Spark is parsed once, by byte ranges, among the executors, and each partition
 * gets the rows it needs ({@link CsvRanges}). Its twin is the same samples in {@code .npy} files,
 * which every executor maps whole: the same rows in the same parts, so the same bits, with or
 * without shuffling, held-out samples and standardization, in few ranges or many.
 */
class CsvRangesTest {
    @TempDir
    static Path dir;

    private static SampleSource npy;
    private static SampleSource csv;
    private static Path csvFile;

    @BeforeAll
    static void writeData() throws IOException {
        npy = SparkTrainerTest.write(dir, "twin", Loss.MSE);
        Samples s = npy.open();
        double[] x = new double[s.count() * s.inputWidth()];
        double[] t = new double[s.count() * s.targetWidth()];
        s.copyInputs(0, s.count(), x, 0);
        s.copyTargets(0, s.count(), t, 0);
        // A header, then rows whose numbers read back to the same doubles; blank lines and CRLF between them.
        String text = CsvData.toCsv(new Dataset("twin", s.count(), s.inputWidth(), s.targetWidth(), x, t));
        StringBuilder tricky = new StringBuilder();
        int line = 0;
        for (String l : text.split("\n")) {
            tricky.append(l).append(line % 5 == 3 ? "\r\n" : "\n");
            if (line++ % 7 == 2) {
                tricky.append("\n");
            }
        }
        csvFile = dir.resolve("twin.csv");
        Files.writeString(csvFile, tricky, StandardCharsets.UTF_8);
        csv = SampleSource.csv(csvFile.toString(), 5, 3, true);
    }

    @AfterEach
    void defaultRanges() {
        SharedSpark.get().setLocalProperty(CsvRanges.RANGE_BYTES_PROPERTY, null);
    }

    /** How the run sees the file: all of it, less held-out samples, standardized. */
    enum View {
        ALL,
        LAST_HELD_OUT,
        DRAWN_HELD_OUT_STANDARDIZED
    }

    private static SampleSource view(SampleSource s, View v) {
        return switch (v) {
            case ALL -> s;
            case LAST_HELD_OUT -> s.trainingPart(5, false, 3);
            case DRAWN_HELD_OUT_STANDARDIZED ->
                s.trainingPart(6, true, 3)
                        .standardized(
                                InputScaling.of(new double[] {0.1, -0.2, 0, 0.3, 0.5}, new double[] {2, 3, 1, 0.5, 4}));
        };
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (int parts = 1; parts <= 4; parts++) {
            for (View v : View.values()) {
                all.add(Arguments.of(parts, v, (parts + v.ordinal()) % 2 == 0, parts == 3 ? 40L : 0L));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} partitions, {1}, shuffled {2}, ranges of {3} bytes")
    @MethodSource("cases")
    void trainsAsTheWholeFileDoesBitForBit(int parts, View v, boolean shuffle, long rangeBytes) {
        if (rangeBytes > 0) { // many ranges, most cutting a line
            SharedSpark.get().setLocalProperty(CsvRanges.RANGE_BYTES_PROPERTY, Long.toString(rangeBytes));
        }
        Network net = SparkTrainerTest.network(Loss.MSE, 3, true);
        TrainingLoop.Options o = SparkTrainerTest.options(shuffle);
        SparkTrainer.Result whole = SparkTrainerTest.distributed(
                net, view(npy, v), o, SparkTrainerTest.ADAM, Precision.FP64, parts, TaskHook.NONE);
        SparkTrainer.Result ranged = SparkTrainerTest.distributed(
                net, view(csv, v), o, SparkTrainerTest.ADAM, Precision.FP64, parts, TaskHook.NONE);
        SparkTrainerTest.assertSameParameters(whole.network(), ranged.network(), 0.0, parts + " partitions, " + v);
        assertEquals(whole.run().lastLoss(), ranged.run().lastLoss(), 0.0);
        assertEquals(whole.run().steps(), ranged.run().steps());
        // and one machine, reading the file whole, up to the order of the partitions' sums
        SparkTrainerTest.Trained one =
                SparkTrainerTest.single(net, view(csv, v), o, SparkTrainerTest.ADAM, Precision.FP64);
        SparkTrainerTest.assertSameParameters(
                one.network(), ranged.network(), parts == 1 ? 0.0 : Tolerance.FP64_OPTIMIZED.absolute(), "one machine");
    }

    @Test
    void aRetriedTaskReadsItsBlockToTheSameWeights() {
        Network net = SparkTrainerTest.network(Loss.MSE, 2, false);
        TrainingLoop.Options o = SparkTrainerTest.options(true);
        SparkTrainer.Result clean =
                SparkTrainerTest.distributed(net, csv, o, SparkTrainerTest.MOMENTUM, Precision.FP64, 3, TaskHook.NONE);
        TaskHook failOnce = (step, partition, attempt) -> {
            if (step == 3 && partition == 1 && attempt == 0) {
                throw new IllegalStateException("injected failure: step 3, partition 1, first attempt");
            }
        };
        SparkTrainer.Result retried =
                SparkTrainerTest.distributed(net, csv, o, SparkTrainerTest.MOMENTUM, Precision.FP64, 3, failOnce);
        assertEquals(1, retried.failedAttempts());
        SparkTrainerTest.assertSameParameters(clean.network(), retried.network(), 0.0, "after a retried task");
    }

    @Test
    void aBadRowInAnyRangeIsTheLineOneMachinePrints() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(csvFile, StandardCharsets.UTF_8));
        lines.set(25, lines.get(25).replaceFirst(",[^,]*,", ",oops,"));
        Path bad = dir.resolve("bad.csv");
        Files.write(bad, lines, StandardCharsets.UTF_8);
        SampleSource source = SampleSource.csv(bad.toString(), 5, 3, true);
        String oneMachine = assertThrows(InputException.class, source::open).getMessage();
        assertTrue(oneMachine.startsWith(bad + ":26:2: column 2 is 'oops'"), oneMachine);
        SharedSpark.get().setLocalProperty(CsvRanges.RANGE_BYTES_PROPERTY, "100");
        Network net = SparkTrainerTest.network(Loss.MSE, 2, false);
        InputException e = assertThrows(
                InputException.class,
                () -> SparkTrainerTest.distributed(
                        net,
                        source,
                        SparkTrainerTest.options(false),
                        SparkTrainerTest.MOMENTUM,
                        Precision.FP64,
                        3,
                        TaskHook.NONE));
        assertEquals(oneMachine, e.getMessage());
        Path empty = dir.resolve("header-only.csv");
        Files.writeString(empty, "a,b,c,d,e,f,g,h\n\n");
        assertEquals(
                empty + ": no samples (only a header)",
                assertThrows(
                                InputException.class,
                                () -> SparkTrainerTest.distributed(
                                        net,
                                        SampleSource.csv(empty.toString(), 5, 3, true),
                                        SparkTrainerTest.options(false),
                                        SparkTrainerTest.MOMENTUM,
                                        Precision.FP64,
                                        2,
                                        TaskHook.NONE))
                        .getMessage());
    }
}

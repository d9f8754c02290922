package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.NpyArray;
import dev.nabla.numerics.Tolerance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training from .npy files, held-out samples, micro-batches, and the predict and evaluate commands. */
class DataCommandsTest {
    @TempDir
    Path dir;

    private Path x;
    private Path y;
    private static final int N = 2000;

    @BeforeEach
    void data() {
        SplittableRandom rng = new SplittableRandom(5);
        double[] xs = new double[N * 2];
        double[] ys = new double[N];
        for (int s = 0; s < N; s++) {
            xs[2 * s] = rng.nextDouble(-1, 1);
            xs[2 * s + 1] = rng.nextDouble(-1, 1);
            ys[s] = 1 / (1 + Math.exp(-(2 * xs[2 * s] - xs[2 * s + 1])));
        }
        x = dir.resolve("x.npy");
        y = dir.resolve("y.npy");
        NpyArray.write(x, xs, N, 2);
        NpyArray.write(y, ys, N, 1);
    }

    private String path(Path f) {
        return f.toString();
    }

    @Test
    void trainsFromNpyWithHeldOutSamplesThenEvaluatesAndPredicts() throws IOException {
        Path model = dir.resolve("m.json");
        Cli r = Cli.run(
                "train",
                "--data",
                path(x),
                "--targets",
                path(y),
                "--epochs",
                "5",
                "--batch",
                "50",
                "--validation",
                "0.25",
                "--save",
                path(model));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("1500 samples of 2 inputs and 1 target"), r.out());
        assertTrue(r.out().contains("held out: " + x + " and " + y + " (samples 1501 to 2000), 500 samples"), r.out());
        Matcher held = Pattern.compile("held-out loss (\\S+)").matcher(r.out());
        double last = Double.NaN;
        int epochs = 0;
        while (held.find()) {
            last = Double.parseDouble(held.group(1));
            epochs++;
        }
        assertEquals(5, epochs, r.out());

        Cli eval = Cli.run("evaluate", "--model", path(model), "--data", path(x), "--targets", path(y));
        assertEquals(0, eval.code(), eval.toString());
        assertTrue(eval.out().contains("over 2000 samples"), eval.out());

        Path csv = dir.resolve("pred.csv");
        Path npy = dir.resolve("pred.npy");
        assertEquals(
                0,
                Cli.run("predict", "--model", path(model), "--data", path(x), "--out", path(csv), "--batch", "300")
                        .code());
        assertEquals(
                0,
                Cli.run("predict", "--model", path(model), "--data", path(x), "--out", path(npy))
                        .code());
        List<String> lines = Files.readAllLines(csv);
        assertEquals("o1", lines.get(0));
        assertEquals(N + 1, lines.size());
        double[] fromNpy = new double[N];
        NpyArray.open(npy).copyRows(0, N, fromNpy, 0);
        double[] fromCsv =
                lines.stream().skip(1).mapToDouble(Double::parseDouble).toArray();
        assertArrayEquals(fromNpy, fromCsv, 0.0, "the same predictions, exactly, in either format");
        assertTrue(last < 0.05, "the held-out loss is small: " + last);
    }

    @Test
    void microBatchesGiveTheSameModelAsWholeBatches() throws IOException {
        Path whole = dir.resolve("whole.json");
        Path split = dir.resolve("split.json");
        assertEquals(
                0,
                Cli.run(
                                "train",
                                "--data",
                                path(x),
                                "--targets",
                                path(y),
                                "--epochs",
                                "2",
                                "--batch",
                                "400",
                                "--save",
                                path(whole))
                        .code());
        Cli r = Cli.run(
                "train",
                "--data",
                path(x),
                "--targets",
                path(y),
                "--epochs",
                "2",
                "--batch",
                "400",
                "--micro-batch",
                "50",
                "--save",
                path(split));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("in micro-batches of 50 (8 per batch)"), r.out());
        double[] a = numbers(Files.readString(whole));
        double[] b = numbers(Files.readString(split));
        assertEquals(a.length, b.length);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], Tolerance.FP64_TRAINED.bound(a[i]), "the same sums in another order: weight " + i);
        }
    }

    private static double[] numbers(String json) {
        Matcher m = Pattern.compile("-?\\d+\\.\\d+(E-?\\d+)?").matcher(json);
        return m.results().mapToDouble(r -> Double.parseDouble(r.group())).toArray();
    }

    @Test
    void headerReadsAFirstRowOfNumbersAndNamesAsAHeader() throws IOException {
        Path data = dir.resolve("iris.csv");
        StringBuilder sb = new StringBuilder("6,2,setosa,versicolor\r\n");
        for (int s = 0; s < 6; s++) {
            sb.append(s * 0.1)
                    .append(",\"")
                    .append(1 - s * 0.1)
                    .append("\",")
                    .append(s % 2)
                    .append("\r\n");
        }
        Files.writeString(data, sb.toString());
        Path model = dir.resolve("m.json");
        Cli refused = Cli.run("train", "--data", path(data), "--epochs", "1", "--save", path(model));
        assertEquals(2, refused.code(), refused.toString());
        assertEquals(
                "engine: " + data + ":1:3: column 3 is 'setosa', not a number; if the first row is a header, add "
                        + "--header",
                refused.errorLine());
        assertEquals(1, refused.err().lines().count(), refused.err());
        assertFalse(Files.exists(model));

        Cli r = Cli.run("train", "--data", path(data), "--header", "--epochs", "1", "--save", path(model));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("6 samples of 2 inputs and 1 target"), r.out());
        Cli eval = Cli.run("evaluate", "--model", path(model), "--data", path(data), "--header");
        assertEquals(0, eval.code(), eval.toString());
        assertTrue(eval.out().contains("over 6 samples"), eval.out());
        Path out = dir.resolve("pred.csv");
        Cli pred = Cli.run("predict", "--model", path(model), "--data", path(data), "--header", "--out", path(out));
        assertEquals(0, pred.code(), pred.toString());
        assertEquals(7, Files.readAllLines(out).size());
        Cli withoutHeader = Cli.run("evaluate", "--model", path(model), "--data", path(data));
        assertEquals(2, withoutHeader.code(), withoutHeader.toString());
        assertTrue(withoutHeader.errorLine().endsWith("add --header"), withoutHeader.errorLine());

        Cli npy = Cli.run("train", "--data", path(x), "--targets", path(y), "--header", "--epochs", "1");
        assertEquals(2, npy.code(), npy.toString());
        assertEquals(
                "engine: --header is for CSV data; " + x + " is a .npy file, which has no header row", npy.errorLine());
        Cli builtIn = Cli.run("train", "--header", "--epochs", "1");
        assertEquals(2, builtIn.code(), builtIn.toString());
        assertEquals("engine: --header needs --data", builtIn.errorLine());
    }

    /** Three classes of points around three centres, the class index in the last column. */
    private Path threeClasses(String name, int rows) throws IOException {
        double[][] centres = {{-1, -1}, {1, -1}, {0, 1}};
        SplittableRandom rng = new SplittableRandom(11);
        StringBuilder sb = new StringBuilder("x1,x2,class\n");
        for (int s = 0; s < rows; s++) {
            int c = s % 3;
            sb.append(centres[c][0] + rng.nextDouble(-0.3, 0.3))
                    .append(',')
                    .append(centres[c][1] + rng.nextDouble(-0.3, 0.3))
                    .append(',')
                    .append(c == 2 ? "2.0" : Integer.toString(c))
                    .append('\n');
        }
        return Files.writeString(dir.resolve(name), sb.toString());
    }

    @Test
    void labelsTrainAndEvaluateOnOneHotTargets() throws IOException {
        Path data = threeClasses("classes.csv", 300);
        Path model = dir.resolve("m.json");
        Cli r = Cli.run(
                "train", "--data", path(data), "--labels", "--epochs", "30", "--batch", "10", "--save", path(model));
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("300 samples of 2 inputs and 3 targets"), r.out());
        Matcher loss = Pattern.compile("epoch \\d+/\\d+  loss (\\S+)").matcher(r.out());
        List<Double> losses = new java.util.ArrayList<>();
        while (loss.find()) {
            losses.add(Double.parseDouble(loss.group(1)));
        }
        assertTrue(losses.get(losses.size() - 1) < 0.5 * losses.get(0), r.out());

        Cli eval = Cli.run("evaluate", "--model", path(model), "--data", path(data), "--labels");
        assertEquals(0, eval.code(), eval.toString());
        assertTrue(eval.out().contains("over 300 samples"), eval.out());
        Path predicted = dir.resolve("predicted.csv");
        Cli predict = Cli.run("predict", "--model", path(model), "--data", path(data), "--out", path(predicted));
        assertEquals(0, predict.code(), "predict reads labelled data, ignoring the labels: " + predict);
        assertEquals(301, Files.readAllLines(predicted).size(), "a header and a row per sample");
        Cli again = Cli.run("train", "--model", path(model), "--data", path(data), "--labels", "--epochs", "1");
        assertEquals(0, again.code(), again.toString());

        Path bad = Files.writeString(dir.resolve("bad.csv"), "0.1,0.2,0\n0.3,0.4,3\n");
        Cli outside = Cli.run("evaluate", "--model", path(model), "--data", path(bad), "--labels");
        assertEquals(2, outside.code(), outside.toString());
        assertEquals(
                "engine: " + bad + ":2:3: label 3 is not a class index 0..2 (the model has 3 outputs)",
                outside.errorLine());
        Files.writeString(bad, "0.1,0.2,0\n0.3,0.4,1.5\n");
        Path out = dir.resolve("out.json");
        Cli fraction = Cli.run("train", "--data", path(bad), "--labels", "--save", path(out));
        assertEquals(2, fraction.code(), fraction.toString());
        assertEquals(
                "engine: " + bad + ":2:3: label 1.5 is not a class index (a whole number from 0 up)",
                fraction.errorLine());
        Cli both = Cli.run("train", "--data", path(data), "--labels", "--outputs", "3", "--save", path(out));
        assertEquals(2, both.code(), both.toString());
        assertTrue(both.errorLine().startsWith("engine: --labels and --outputs both say"), both.errorLine());
        assertEquals(1, both.err().lines().count(), both.err());
        assertFalse(Files.exists(out));

        Path labels = dir.resolve("labels.npy");
        double[] ys = new double[N];
        for (int s = 0; s < N; s++) {
            ys[s] = s % 4;
        }
        NpyArray.write(labels, ys, N, 1);
        Cli npy = Cli.run("train", "--data", path(x), "--targets", path(labels), "--labels", "--epochs", "1");
        assertEquals(0, npy.code(), npy.toString());
        assertTrue(npy.out().contains("2000 samples of 2 inputs and 4 targets"), npy.out());
    }

    @Test
    void npyMistakesEndWithOneLine() throws IOException {
        Path wrong = dir.resolve("wrong.npy");
        NpyArray.write(wrong, new double[] {1, 2, 3}, 3, 1);
        Path out = dir.resolve("out.json");
        String[][] cases = {
            {"--data", path(x)}, // no targets
            {"--data", path(x), "--targets", path(wrong)}, // 3 rows of targets for 2000 samples
            {"--data", path(dir.resolve("none.npy")), "--targets", path(y)},
            {"--data", path(x), "--targets", path(y), "--validation", "1.5"},
            {"--data", path(x), "--targets", path(y), "--micro-batch", "0"},
        };
        String[] messages = {
            "need their targets as a second file",
            "3 rows of targets, but",
            "no such file",
            "--validation must be a fraction",
            "--micro-batch must be at least 1"
        };
        for (int c = 0; c < cases.length; c++) {
            String[] args = new String[cases[c].length + 5];
            args[0] = "train";
            System.arraycopy(cases[c], 0, args, 1, cases[c].length);
            args[cases[c].length + 1] = "--epochs";
            args[cases[c].length + 2] = "1";
            args[cases[c].length + 3] = "--save";
            args[cases[c].length + 4] = path(out);
            Cli r = Cli.run(args);
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.errorLine().contains(messages[c]), "expected '" + messages[c] + "': " + r.errorLine());
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void evaluateWithLabelsCountsTheSamplesWhoseLargestOutputIsTheirClass() throws IOException {
        Path model = Files.writeString(
                dir.resolve("identity.json"),
                "{\"layers\": [{\"inputs\": 3, \"outputs\": 3, \"activation\": \"identity\","
                        + " \"weights\": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}]}");
        // The outputs are the inputs: classes 0, 1, 2, 0 against the labels 0, 1, 1, 0; a tie goes to the first.
        Path data = Files.writeString(
                dir.resolve("scored.csv"), "0.9,0.1,0,0\n0.2,0.8,0.1,1\n0.1,0.2,0.7,1\n0.5,0.5,0.5,0\n");
        Cli r = Cli.run("evaluate", "--model", path(model), "--data", path(data), "--labels");
        assertEquals(0, r.code(), r.toString());
        assertTrue(
                r.out().contains("accuracy 75.00% (3 of 4 samples classified right: the largest output at the label)"),
                r.out());
        Path oneHot = Files.writeString(dir.resolve("one-hot.csv"), "0.9,0.1,0,1,0,0\n");
        Cli noLabels = Cli.run("evaluate", "--model", path(model), "--data", path(oneHot));
        assertEquals(0, noLabels.code(), noLabels.toString());
        assertFalse(noLabels.out().contains("accuracy"), "accuracy only for --labels: " + noLabels);
    }
}

package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.data.NpyArray;
import dev.nabla.data.Samples;
import dev.nabla.model.Checkpoint;
import dev.nabla.model.Layer;
import dev.nabla.model.ModelFile;
import dev.nabla.model.Network;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --standardize, labels a classifier implies, the warning (or stop) on a loss that grew by orders
 * of magnitude, evaluate --confusion, and predict's classes and probabilities.
 */
class ClassificationCommandsTest {
    @TempDir
    Path dir;

    private static final int N = 40;
    /** Feature 1 ("size") far from unit scale, feature 2 ("ratio") near it. */
    private static final String MODEL =
            "{\"layers\": [{\"inputs\": 2, \"outputs\": 1, \"activation\": \"identity\", \"bias\": true}]}";

    private static double size(int i) {
        return 150 + 2.5 * i;
    }

    private static double ratio(int i) {
        return (i % 7) / 7.0 - 0.5;
    }

    private static double target(int i) {
        return 0.01 * size(i) - ratio(i);
    }

    private Path csv(String name) throws IOException {
        StringBuilder sb = new StringBuilder("size,ratio,y\n");
        for (int i = 0; i < N; i++) {
            sb.append(size(i))
                    .append(',')
                    .append(ratio(i))
                    .append(',')
                    .append(target(i))
                    .append('\n');
        }
        return Files.writeString(dir.resolve(name), sb.toString());
    }

    private Path model() throws IOException {
        return Files.writeString(dir.resolve("model.json"), MODEL);
    }

    private String p(Path f) {
        return f.toString();
    }

    /** Mean and population standard deviation of feature values. */
    private static double[] meanStd(double[] v) {
        double m = 0;
        for (double x : v) {
            m += x / v.length;
        }
        double var = 0;
        for (double x : v) {
            var += (x - m) * (x - m) / v.length;
        }
        return new double[] {m, Math.sqrt(var)};
    }

    @Test
    void standardizeFitsTheTrainingRowsAndTheSavedModelTakesRawInputs() throws IOException {
        Path data = csv("d.csv");
        Path saved = dir.resolve("out.json");
        Cli r = Cli.run(
                "train",
                "--model",
                p(model()),
                "--data",
                p(data),
                "--header",
                "--standardize",
                "--validation",
                "0.25",
                "--epochs",
                "3",
                "--batch",
                "8",
                "--lr",
                "0.05",
                "--save",
                p(saved));
        assertEquals(0, r.code(), r.toString());
        assertTrue(
                r.out()
                        .contains("inputs:  standardized by the mean and standard deviation of each input over the 30 "
                                + "training samples"),
                r.out());
        // The held-out samples are the last 10 rows: the statistics are those of the first 30.
        double[] sizes = new double[30];
        double[] ratios = new double[30];
        for (int i = 0; i < 30; i++) {
            sizes[i] = size(i);
            ratios[i] = ratio(i);
        }
        Network net = ModelFile.read(saved, 0);
        assertArrayEquals(
                new double[] {meanStd(sizes)[0], meanStd(ratios)[0]},
                net.inputScaling().mean(),
                1e-9);
        assertArrayEquals(
                new double[] {meanStd(sizes)[1], meanStd(ratios)[1]},
                net.inputScaling().scale(),
                1e-9);
        assertTrue(Files.readString(saved).contains("\"standardize\": {\"mean\": ["), Files.readString(saved));

        // predict and evaluate standardize the raw rows as the model says.
        Layer l = net.layer(0);
        double[] expected = new double[N];
        double loss = 0;
        for (int i = 0; i < N; i++) {
            double a = (size(i) - net.inputScaling().mean()[0])
                    / net.inputScaling().scale()[0];
            double b = (ratio(i) - net.inputScaling().mean()[1])
                    / net.inputScaling().scale()[1];
            expected[i] = l.weight(0, 0) * a + l.weight(0, 1) * b + l.bias()[0];
            loss += 0.5 * (target(i) - expected[i]) * (target(i) - expected[i]) / N;
        }
        Path out = dir.resolve("p.csv");
        Cli predict = Cli.run("predict", "--model", p(saved), "--data", p(data), "--header", "--out", p(out));
        assertEquals(0, predict.code(), predict.toString());
        List<String> lines = Files.readAllLines(out);
        assertEquals("o1", lines.get(0));
        for (int i = 0; i < N; i++) {
            assertEquals(expected[i], Double.parseDouble(lines.get(i + 1)), 1e-9, "row " + i);
        }
        Cli eval = Cli.run("evaluate", "--model", p(saved), "--data", p(data), "--header");
        assertEquals(0, eval.code(), eval.toString());
        assertTrue(eval.out().contains("loss " + TrainingReport.formatLoss(loss) + " over 40 samples"), eval.out());
    }

    @Test
    void checkpointsKeepTheStandardizationAndResumeReconcilesTheFlag() throws IOException {
        Path data = csv("d.csv");
        Path ckpt = dir.resolve("c.safetensors");
        Cli first = Cli.run(
                "train",
                "--model",
                p(model()),
                "--data",
                p(data),
                "--header",
                "--standardize",
                "--epochs",
                "2",
                "--batch",
                "8",
                "--lr",
                "0.05",
                "--save",
                p(ckpt));
        assertEquals(0, first.code(), first.toString());
        Network stored = Checkpoint.read(ckpt).network();
        double[] all = new double[N];
        for (int i = 0; i < N; i++) {
            all[i] = size(i);
        }
        assertEquals(meanStd(all)[0], stored.inputScaling().mean()[0], 1e-9);
        assertEquals(meanStd(all)[1], stored.inputScaling().scale()[0], 1e-9);

        Path done = dir.resolve("done.json");
        for (String[] flag : new String[][] {{}, {"--standardize"}}) {
            String[] args = {
                "train", "--resume", p(ckpt), "--data", p(data), "--header", "--epochs", "4", "--save", p(done)
            };
            String[] with = java.util.Arrays.copyOf(args, args.length + flag.length);
            System.arraycopy(flag, 0, with, args.length, flag.length);
            Cli resumed = Cli.run(with);
            assertEquals(0, resumed.code(), resumed.toString());
            assertTrue(
                    resumed.out().contains("inputs:  standardized by the means and scales of " + ckpt), resumed.out());
            assertEquals(stored.inputScaling(), ModelFile.read(done, 0).inputScaling());
        }

        Path raw = dir.resolve("raw.safetensors");
        Cli plain = Cli.run(
                "train",
                "--model",
                p(model()),
                "--data",
                p(data),
                "--header",
                "--epochs",
                "1",
                "--lr",
                "1e-6",
                "--save",
                p(raw));
        assertEquals(0, plain.code(), plain.toString());
        assertNull(Checkpoint.read(raw).network().inputScaling());
        Path never = dir.resolve("never.json");
        Cli contradicts = Cli.run(
                "train",
                "--resume",
                p(raw),
                "--data",
                p(data),
                "--header",
                "--standardize",
                "--epochs",
                "2",
                "--save",
                p(never));
        assertEquals(2, contradicts.code(), contradicts.toString());
        assertEquals(
                "engine: --standardize true differs from the raw inputs (no standardization) the checkpoint's run "
                        + "used; a resumed run keeps its settings (leave --standardize out)",
                contradicts.errorLine());
        Cli twice = Cli.run(
                "train",
                "--model",
                p(ModelFile.read(done, 0).inputScaling() == null ? raw : done),
                "--data",
                p(data),
                "--header",
                "--standardize",
                "--save",
                p(never));
        assertEquals(2, twice.code(), twice.toString());
        assertTrue(
                twice.errorLine().startsWith("engine: " + done + " already standardizes its inputs"),
                twice.errorLine());
        assertFalse(Files.exists(never));
    }

    /** Full-batch gradient descent at --lr 0.5 on a feature near 200: the loss grows some 10^8 times an epoch. */
    private String[] diverging(Path data, Path save, String... more) throws IOException {
        String[] args = {
            "train",
            "--model",
            p(model()),
            "--data",
            p(data),
            "--header",
            "--epochs",
            "3",
            "--batch",
            Integer.toString(N),
            "--save",
            p(save)
        };
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    @Test
    void aLossThatGrowsByOrdersOfMagnitudeIsAWarningNamingTheUnscaledColumns() throws IOException {
        Path data = csv("d.csv");
        Path save = dir.resolve("s.json");
        Cli r = Cli.run(diverging(data, save));
        assertEquals(0, r.code(), r.toString());
        List<String> warnings =
                r.err().lines().filter(l -> l.startsWith("engine: warning:")).toList();
        assertEquals(1, warnings.size(), r.err());
        String w = warnings.get(0);
        assertTrue(w.startsWith("engine: warning: the loss grew by orders of magnitude: epoch 2's loss "), w);
        assertTrue(w.contains(" times epoch 1's "), w);
        assertTrue(
                w.contains("likely causes: a learning rate too large (--lr 0.5), and 1 input feature far from unit "
                        + "scale (largest absolute value above 100): \"size\" (column 1) up to 248; try a smaller "
                        + "--lr, or --standardize"),
                w);
        assertTrue(Files.exists(save), "a warning keeps the run going");

        Path npyX = dir.resolve("x.npy");
        Path npyY = dir.resolve("y.npy");
        double[] xs = new double[2 * N];
        double[] ys = new double[N];
        for (int i = 0; i < N; i++) {
            xs[2 * i] = size(i);
            xs[2 * i + 1] = ratio(i);
            ys[i] = target(i);
        }
        NpyArray.write(npyX, xs, N, 2);
        NpyArray.write(npyY, ys, N, 1);
        Cli npy = Cli.run(
                "train",
                "--model",
                p(model()),
                "--data",
                p(npyX),
                "--targets",
                p(npyY),
                "--epochs",
                "3",
                "--batch",
                Integer.toString(N));
        assertEquals(0, npy.code(), npy.toString());
        assertTrue(
                npy.err().contains("far from unit scale (largest absolute value above 100): column 1 up to 248;"),
                npy.err());
    }

    @Test
    void stopOnDivergenceEndsTheRunAtThatEpochWithOneLineAndNothingSaved() throws IOException {
        Path data = csv("d.csv");
        Path save = dir.resolve("s.json");
        Cli r = Cli.run(diverging(data, save, "--stop-on-divergence"));
        assertEquals(2, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(
                r.errorLine()
                        .startsWith("engine: training diverged (--stop-on-divergence): the loss grew by orders "
                                + "of magnitude: epoch 2's loss"),
                r.errorLine());
        assertTrue(r.out().contains("epoch 2/3"), r.out());
        assertFalse(r.out().contains("epoch 3/3"), r.out());
        assertFalse(Files.exists(save));

        Cli scaled = Cli.run(diverging(data, save, "--stop-on-divergence", "--standardize", "--lr", "0.1"));
        assertEquals(0, scaled.code(), scaled.toString());
        assertTrue(Files.exists(save));
    }

    @Test
    void aClassifiersDataWithOneColumnAfterTheInputsHoldsLabels() throws IOException {
        Network bce = ModelFile.parse(
                "{\"loss\": \"binary-cross-entropy\", \"layers\": [{\"inputs\": 2, \"outputs\": 3, "
                        + "\"activation\": \"sigmoid\"}]}",
                "bce.json",
                1);
        Path labeled = Files.writeString(dir.resolve("l.csv"), "0.5,1,2\n0.25,-1,0\n");
        Samples s = DataFiles.samples(labeled, null, bce, 3, false, false);
        assertEquals(3, s.targetWidth());
        double[] t = new double[6];
        s.copyTargets(0, 2, t, 0);
        assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0}, t, 0.0);
        Path oneHot = Files.writeString(dir.resolve("h.csv"), "0.5,1,0,0.2,0.8\n");
        Samples h = DataFiles.samples(oneHot, null, bce, 3, false, false);
        double[] ht = new double[3];
        h.copyTargets(0, 1, ht, 0);
        assertArrayEquals(new double[] {0, 0.2, 0.8}, ht, 0.0);

        Path x = dir.resolve("x.npy");
        NpyArray.write(x, new double[] {1, 2, 3, 4}, 2, 2);
        Path y = Files.write(dir.resolve("y.npy"), npy("<i8", "(2,)", 1, 2));
        Samples n = DataFiles.samples(x, y, bce, 3, false, false);
        double[] nt = new double[6];
        n.copyTargets(0, 2, nt, 0);
        assertArrayEquals(new double[] {0, 1, 0, 0, 0, 1}, nt, 0.0);

        Path mseData = Files.writeString(dir.resolve("t.csv"), "0.5,1,2\n0.25,-1,3\n");
        Samples m = DataFiles.samples(mseData, null, ModelFile.parse(MODEL, "mse.json", 1), 1, false, false);
        double[] mt = new double[2];
        m.copyTargets(0, 2, mt, 0);
        assertArrayEquals(new double[] {2, 3}, mt, 0.0, "an mse model's last column is its target");
    }

    /** A .npy of int64 values of the given shape. */
    private static byte[] npy(String descr, String shape, long... values) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int pad = (64 - (10 + dict.length() + 1) % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b =
                ByteBuffer.allocate(10 + header.length() + 8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    @Test
    void integerNpyLabelsTrainAndOneOutOfRangeNamesItsRow() throws IOException {
        Path x = dir.resolve("x.npy");
        NpyArray.write(x, new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Path y = Files.write(dir.resolve("y.npy"), npy("<i8", "(3,)", 0, 2, 1));
        Cli ok = Cli.run("train", "--data", p(x), "--targets", p(y), "--labels", "--epochs", "1");
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.out().contains("3 samples of 2 inputs and 3 targets"), ok.out());
        Path m = Files.writeString(
                dir.resolve("m3.json"), "{\"layers\": [{\"inputs\": 2, \"outputs\": 3, \"activation\": \"sigmoid\"}]}");
        Path big = Files.write(dir.resolve("big.npy"), npy("<i8", "(3,)", 0, 3, 1));
        Cli r = Cli.run("evaluate", "--model", p(m), "--data", p(x), "--targets", p(big), "--labels");
        assertEquals(2, r.code(), r.toString());
        assertEquals(
                "engine: " + big + ": row 2: label 3 is not a class index 0..2 (the model has 3 outputs)",
                r.errorLine());
    }

    @Test
    void confusionCountsTrueClassesAgainstPredictedOnes() throws IOException {
        Path model = Files.writeString(
                dir.resolve("id.json"),
                "{\"layers\": [{\"inputs\": 2, \"outputs\": 3, \"activation\": \"identity\","
                        + " \"weights\": [[1, 0], [0, 1], [0, 0]], \"bias\": [0, 0, 0.5]}]}");
        // Predicted 0, 1, 2, 0 against the labels 0, 1, 2, 2.
        Path data = Files.writeString(dir.resolve("c.csv"), "1,0,0\n0,1,1\n0,0,2\n1,0,2\n");
        Cli r = Cli.run("evaluate", "--model", p(model), "--data", p(data), "--labels", "--confusion");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("accuracy 75.00% (3 of 4 samples classified right"), r.out());
        assertTrue(r.out().contains("""
                        confusion matrix (rows: true class, columns: predicted class):
                        true\\pred 0 1 2  total
                                0 1 0 0      1
                                1 0 1 0      1
                                2 1 0 1      2
                            total 2 1 1      4
                        """), r.out());
        Path oneHot = Files.writeString(dir.resolve("h.csv"), "1,0,1,0,0\n0,0,0,1,0\n");
        Cli h = Cli.run("evaluate", "--model", p(model), "--data", p(oneHot), "--confusion");
        assertEquals(0, h.code(), h.toString());
        assertTrue(h.out().contains("accuracy 50.00% (1 of 2 samples"), h.out());
        assertTrue(h.out().contains("        1 0 0 1      1\n"), h.out());
    }

    @Test
    void predictWritesAClassifiersClassThenEachClassesProbability() throws IOException {
        Path model = Files.writeString(
                dir.resolve("bce.json"),
                "{\"loss\": \"binary-cross-entropy\", \"layers\": [{\"inputs\": 2, \"outputs\": 3, "
                        + "\"activation\": \"sigmoid\", \"weights\": [[1, 0], [0, 1], [0, 0]]}]}");
        Path data = Files.writeString(dir.resolve("x.csv"), "2,0\n-1,-2\n");
        Path out = dir.resolve("p.csv");
        Cli r = Cli.run("predict", "--model", p(model), "--data", p(data), "--out", p(out));
        assertEquals(0, r.code(), r.toString());
        List<String> lines = Files.readAllLines(out);
        assertEquals("class,p0,p1,p2", lines.get(0));
        assertEquals("0," + sigmoid(2) + ",0.5,0.5", lines.get(1));
        assertEquals("2," + sigmoid(-1) + "," + sigmoid(-2) + ",0.5", lines.get(2));
        Path npy = dir.resolve("p.npy");
        Cli n = Cli.run("predict", "--model", p(model), "--data", p(data), "--out", p(npy));
        assertEquals(0, n.code(), n.toString());
        NpyArray a = NpyArray.open(npy);
        assertEquals(4, a.cols());
        double[] v = new double[8];
        a.copyRows(0, 2, v, 0);
        assertArrayEquals(new double[] {0, sigmoid(2), 0.5, 0.5, 2, sigmoid(-1), sigmoid(-2), 0.5}, v, 1e-15);

        Path one = Files.writeString(
                dir.resolve("one.json"),
                "{\"loss\": \"binary-cross-entropy\", \"layers\": [{\"inputs\": 2, \"outputs\": 1, "
                        + "\"activation\": \"sigmoid\", \"weights\": [[1, 0]]}]}");
        Cli o = Cli.run("predict", "--model", p(one), "--data", p(data), "--out", p(out));
        assertEquals(0, o.code(), o.toString());
        lines = Files.readAllLines(out);
        assertEquals(
                List.of(
                        "class,p0,p1",
                        "1," + (1 - sigmoid(2)) + "," + sigmoid(2),
                        "0," + (1 - sigmoid(-1)) + "," + sigmoid(-1)),
                lines);
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}

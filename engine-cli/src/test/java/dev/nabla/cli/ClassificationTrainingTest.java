package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Optimizer;
import dev.nabla.model.Checkpoint;
import dev.nabla.model.Loss;
import dev.nabla.model.ModelFile;
import dev.nabla.model.Network;
import dev.nabla.model.OptimizerState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code engine train} with the classification losses and the optimizers, as a user runs it. */
class ClassificationTrainingTest {
    @TempDir
    Path dir;

    /** Three classes around three centres in the plane, a label column last: {@code x, y, class}. */
    private Path blobs(String name, int rows, long seed) throws IOException {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] centres = {{-2, 0}, {2, 0}, {0, 2.5}};
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rows; r++) {
            int c = rng.nextInt(3);
            sb.append(String.format(
                    Locale.ROOT,
                    "%.6f,%.6f,%d%n",
                    centres[c][0] + rng.nextGaussian() * 0.7,
                    centres[c][1] + rng.nextGaussian() * 0.7,
                    c));
        }
        return Files.writeString(dir.resolve(name), sb.toString(), StandardCharsets.UTF_8);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void labelsTrainASoftmaxClassifierWithAdamAndReportAccuracyEachEpoch() throws IOException {
        Path data = blobs("blobs.csv", 600, 1);
        Path model = dir.resolve("model.json");
        Cli r = Cli.run(
                "train",
                "--data",
                data.toString(),
                "--labels",
                "--optimizer",
                "adam",
                "--lr",
                "0.01",
                "--epochs",
                "5",
                "--batch",
                "32",
                "--validation",
                "0.25",
                "--shuffle",
                "--backend",
                "cpu",
                "--save",
                model.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("loss softmax-cross-entropy"), r.out());
        assertTrue(r.out().contains("adam (beta1 0.9, beta2 0.999, eps 1.0E-8)"), r.out());
        Matcher m = Pattern.compile("epoch 5/5  loss \\S+  accuracy ([0-9.]+)%  held-out loss \\S+  held-out accuracy "
                        + "([0-9.]+)%")
                .matcher(r.out());
        assertTrue(m.find(), r.out());
        // Three well-separated blobs: a classifier that learned anything gets most of them right.
        assertTrue(Double.parseDouble(m.group(1)) > 90, r.out());
        assertTrue(Double.parseDouble(m.group(2)) > 90, r.out());
        Network saved = ModelFile.read(model, 1);
        assertEquals(Loss.SOFTMAX_CROSS_ENTROPY, saved.loss());
        assertEquals(Optimizer.adam(0.9, 0.999, 1e-8, 0), saved.optimizer(), "the model file names its optimizer");
    }

    @Test
    void metricsAndThePlotCarryTheAccuracies() throws IOException {
        Path data = blobs("metrics.csv", 400, 6);
        Path metrics = dir.resolve("m.csv");
        Path plot = dir.resolve("p.png");
        Cli r = Cli.run(
                "train",
                "--data",
                data.toString(),
                "--labels",
                "--optimizer",
                "adam",
                "--lr",
                "0.02",
                "--epochs",
                "3",
                "--batch",
                "50",
                "--validation",
                "0.2",
                "--shuffle",
                "--backend",
                "cpu",
                "--quiet",
                "--metrics",
                metrics.toString(),
                "--plot",
                plot.toString());
        assertEquals(0, r.code(), r.toString());
        java.util.List<String> rows = Files.readAllLines(metrics);
        assertEquals(
                "step,epoch,loss,validation_loss,samples_per_second,learning_rate,accuracy,validation_accuracy",
                rows.get(0));
        assertEquals(1 + 3 * 7, rows.size(), "320 training samples in batches of 50: 7 steps an epoch");
        for (int k = 1; k < rows.size(); k++) {
            String[] f = rows.get(k).split(",", -1);
            assertEquals(8, f.length, rows.get(k));
            double accuracy = Double.parseDouble(f[6]);
            int batch = k % 7 == 0 ? 20 : 50;
            // The share of a batch: a whole number of its samples.
            assertEquals(Math.rint(accuracy * batch), accuracy * batch, 1e-9, rows.get(k));
            assertEquals(k % 7 == 0, !f[7].isEmpty(), "held-out accuracy on an epoch's last step: " + rows.get(k));
            assertEquals(0.02, Double.parseDouble(f[5]), 0.0, "the constant rate");
        }
        String[] last = rows.get(rows.size() - 1).split(",", -1);
        assertTrue(Double.parseDouble(last[7]) > 0.9, "the blobs are learned: " + rows.get(rows.size() - 1));
        assertTrue(Files.size(plot) > 5000, "a chart");
    }

    /**
     * A run of two epochs resumed for two more ends bit for bit where a run of four ends, optimizer
     * state and all (for schedules that depend on the step's number alone; a cosine schedule spans
     * the run's --epochs, so EngineJarIT stops a run of fixed length with Ctrl-C instead).
     */
    @Test
    void resumedMomentumAndAdamRunsEndBitForBitAsUninterruptedOnes() throws IOException {
        Path data = blobs("resume.csv", 300, 2);
        String[][] optimizers = {
            {"--optimizer", "sgd", "--momentum", "0.9", "--nesterov", "--lr", "0.1"},
            {"--optimizer", "adam", "--weight-decay", "0.001", "--lr", "0.01", "--warmup", "30"},
            {"--optimizer", "adamw", "--lr", "0.01", "--lr-schedule", "step", "--lr-step", "7", "--lr-gamma", "0.5"}
        };
        for (String[] opt : optimizers) {
            String[] base = concat(
                    new String[] {
                        "train",
                        "--data",
                        data.toString(),
                        "--labels",
                        "--batch",
                        "25",
                        "--shuffle",
                        "--backend",
                        "cpu",
                        "--quiet"
                    },
                    opt);
            Path straight = dir.resolve("straight.safetensors");
            Path half = dir.resolve("half.safetensors");
            Path resumed = dir.resolve("resumed.safetensors");
            Cli a = Cli.run(concat(base, "--epochs", "4", "--save", straight.toString()));
            assertEquals(0, a.code(), a.toString());
            Cli b = Cli.run(concat(base, "--epochs", "2", "--save", half.toString()));
            assertEquals(0, b.code(), b.toString());
            Cli c = Cli.run(
                    "train",
                    "--resume",
                    half.toString(),
                    "--data",
                    data.toString(),
                    "--labels",
                    "--epochs",
                    "4",
                    "--backend",
                    "cpu",
                    "--quiet",
                    "--save",
                    resumed.toString());
            assertEquals(0, c.code(), c.toString());
            Checkpoint x = Checkpoint.read(straight);
            Checkpoint y = Checkpoint.read(resumed);
            for (int l = 0; l < x.network().depth(); l++) {
                assertArrayEquals(
                        x.network().layer(l).weights(), y.network().layer(l).weights(), opt[1] + " layer " + l);
                assertArrayEquals(
                        x.network().layer(l).bias(), y.network().layer(l).bias(), opt[1] + " layer " + l);
            }
            Optimizer rule =
                    dev.nabla.train.RunState.fromMetadata(x.metadata(), "x").optimizer();
            assertEquals(opt[1], rule.kind().id());
            OptimizerState sx = x.optimizerState(rule, "x");
            OptimizerState sy = y.optimizerState(rule, "y");
            assertEquals(sx.steps(), sy.steps());
            assertEquals(48, sx.steps(), "4 epochs of 12 steps");
            for (int k = 0; k < sx.tensors().size(); k++) {
                assertArrayEquals(sx.tensors().get(k), sy.tensors().get(k), opt[1] + " state " + k);
            }
        }
    }

    @Test
    void aResumedRunKeepsItsOptimizer() throws IOException {
        Path data = blobs("keep.csv", 100, 3);
        Path half = dir.resolve("half.safetensors");
        Cli b = Cli.run(
                "train",
                "--data",
                data.toString(),
                "--labels",
                "--optimizer",
                "adam",
                "--epochs",
                "1",
                "--backend",
                "cpu",
                "--quiet",
                "--save",
                half.toString());
        assertEquals(0, b.code(), b.toString());
        Cli c = Cli.run(
                "train",
                "--resume",
                half.toString(),
                "--data",
                data.toString(),
                "--labels",
                "--epochs",
                "2",
                "--optimizer",
                "sgd",
                "--backend",
                "cpu");
        assertEquals(2, c.code(), c.toString());
        assertEquals(
                "engine: --optimizer sgd differs from the adam the checkpoint's run used; a resumed run keeps its "
                        + "settings (leave --optimizer out)",
                c.errorLine());
    }

    @Test
    void theModelFilesOptimizerIsTheDefaultAndFlagsOverrideIt() throws IOException {
        Path data = blobs("m.csv", 90, 4);
        Path model = Files.writeString(
                dir.resolve("net.json"),
                "{\"loss\": \"softmax-cross-entropy\", "
                        + "\"optimizer\": {\"name\": \"sgd\", \"momentum\": 0.5},"
                        + " \"layers\": [{\"inputs\": 2, \"outputs\": 4, \"activation\": \"tanh\", \"bias\": true},"
                        + " {\"inputs\": 4, \"outputs\": 3, \"activation\": \"softmax\", \"bias\": true}]}");
        Cli r = Cli.run(
                "train",
                "--model",
                model.toString(),
                "--data",
                data.toString(),
                "--labels",
                "--epochs",
                "1",
                "--backend",
                "cpu");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("sgd (momentum 0.5)"), r.out());
        Cli o = Cli.run(
                "train",
                "--model",
                model.toString(),
                "--data",
                data.toString(),
                "--labels",
                "--epochs",
                "1",
                "--momentum",
                "0.8",
                "--backend",
                "cpu");
        assertEquals(0, o.code(), o.toString());
        assertTrue(o.out().contains("sgd (momentum 0.8)"), o.out());
    }

    private void refused(String expected, String... args) {
        Cli r = Cli.run(args);
        assertEquals(2, r.code(), r.toString());
        assertEquals(expected, r.errorLine());
        assertFalse(r.errorLine().contains("\n"), "one line");
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void badLossesOptimizersAndSettingsAreOneLineErrors() throws IOException {
        Path data = blobs("bad.csv", 30, 5);
        String d = data.toString();
        refused(
                "engine: unknown loss 'hinge' (known: mse, softmax-cross-entropy, binary-cross-entropy)",
                "train",
                "--data",
                d,
                "--labels",
                "--loss",
                "hinge");
        refused(
                "engine: unknown optimizer 'rmsprop' (known: sgd, adam, adamw)",
                "train",
                "--data",
                d,
                "--labels",
                "--optimizer",
                "rmsprop");
        refused("engine: --momentum must be in [0, 1), not 1.0", "train", "--data", d, "--momentum", "1");
        refused("engine: --momentum must be in [0, 1), not -0.1", "train", "--data", d, "--momentum", "-0.1");
        refused(
                "engine: --weight-decay must be 0 or a positive finite number, not -0.01",
                "train",
                "--data",
                d,
                "--weight-decay",
                "-0.01");
        refused(
                "engine: --beta2 must be in (0, 1), not 1.0",
                "train",
                "--data",
                d,
                "--optimizer",
                "adam",
                "--beta2",
                "1");
        refused(
                "engine: --beta2 must be in (0, 1), not 0.0",
                "train",
                "--data",
                d,
                "--optimizer",
                "adam",
                "--beta2",
                "0");
        refused(
                "engine: --momentum is an sgd setting; adam has --beta1 instead",
                "train",
                "--data",
                d,
                "--optimizer",
                "adam",
                "--momentum",
                "0.9");
        refused(
                "engine: the optimizer: Nesterov momentum needs sgd with a momentum above 0",
                "train",
                "--data",
                d,
                "--nesterov");
        refused(
                "engine: --lr-schedule step needs --lr-step N, the steps between two decays",
                "train",
                "--data",
                d,
                "--lr-schedule",
                "step");
        refused(
                "engine: unknown learning-rate schedule 'linear' (known: constant, step, cosine)",
                "train",
                "--data",
                d,
                "--lr-schedule",
                "linear");
        Path misfit = Files.writeString(
                dir.resolve("misfit.json"),
                "{\"loss\": \"softmax-cross-entropy\", \"layers\": "
                        + "[{\"inputs\": 2, \"outputs\": 3, \"activation\": \"sigmoid\"}]}");
        refused(
                "engine: " + misfit + ":1:10: the loss softmax-cross-entropy needs a softmax output layer, not sigmoid",
                "train",
                "--model",
                misfit.toString(),
                "--data",
                d,
                "--labels");
        Path hidden = Files.writeString(
                dir.resolve("hidden.json"),
                "{\"loss\": \"softmax-cross-entropy\", \"layers\": "
                        + "[{\"inputs\": 2, \"outputs\": 3, \"activation\": \"softmax\"},"
                        + " {\"inputs\": 3, \"outputs\": 3, \"activation\": \"softmax\"}]}");
        refused(
                "engine: " + hidden + ":1:10: layer 1 is softmax: only the output layer may be, with the loss "
                        + "softmax-cross-entropy",
                "train",
                "--model",
                hidden.toString(),
                "--data",
                d,
                "--labels");
        Path mse = Files.writeString(
                dir.resolve("mse.json"),
                "{\"layers\": " + "[{\"inputs\": 2, \"outputs\": 3, \"activation\": \"softmax\"}]}");
        refused(
                "engine: " + mse + ":1:13: a softmax output layer needs the loss softmax-cross-entropy, not mse",
                "train",
                "--model",
                mse.toString(),
                "--data",
                d,
                "--labels");
    }
}

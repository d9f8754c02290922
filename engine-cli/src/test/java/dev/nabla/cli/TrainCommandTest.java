package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.model.ModelFile;
import dev.nabla.model.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    @TempDir
    Path dir;

    /** y = sigmoid-friendly function of two inputs, as CSV with a header. */
    private Path csv(int rows) throws IOException {
        SplittableRandom rng = new SplittableRandom(2);
        StringBuilder sb = new StringBuilder("x1,x2,y\n");
        for (int r = 0; r < rows; r++) {
            double a = rng.nextDouble(-1, 1);
            double b = rng.nextDouble(-1, 1);
            sb.append(String.format(Locale.ROOT, "%.6f,%.6f,%.6f%n", a, b, 1 / (1 + Math.exp(-(2 * a - b)))));
        }
        return Files.writeString(dir.resolve("data.csv"), sb.toString());
    }

    private static List<Double> epochLosses(String out) {
        List<Double> losses = new ArrayList<>();
        Matcher m = Pattern.compile("^epoch \\d+/\\d+  loss (\\S+)", Pattern.MULTILINE)
                .matcher(out);
        while (m.find()) {
            losses.add(Double.parseDouble(m.group(1)));
        }
        return losses;
    }

    @Test
    void trainsOnACsvFileAndSavesAModelThatReadsBack() throws IOException {
        Path data = csv(500);
        Path saved = dir.resolve("trained.json");
        Cli r = Cli.run(
                "train",
                "--data",
                data.toString(),
                "--epochs",
                "20",
                "--batch",
                "16",
                "--backend",
                "cpu",
                "--save",
                saved.toString());
        assertEquals(0, r.code(), r.toString());
        List<Double> losses = epochLosses(r.out());
        assertEquals(20, losses.size(), r.out());
        assertTrue(losses.get(19) < losses.get(0) / 2, "the loss falls: " + losses);
        assertTrue(r.out().contains("samples/s"), r.out());
        assertTrue(r.out().contains("backend: cpu fp64"), r.out());
        Network n = ModelFile.read(saved, 0);
        assertEquals(2, n.inputs());
        assertEquals(1, n.outputs());

        // Training on from the saved model continues where it stopped.
        Cli again = Cli.run(
                "train", "--model", saved.toString(), "--data", data.toString(), "--epochs", "1", "--batch", "16");
        assertEquals(0, again.code(), again.toString());
        assertTrue(epochLosses(again.out()).get(0) < losses.get(0), again.out());
    }

    @Test
    void theSameSeedGivesTheSameModelBitForBitAndAnotherSeedAnother() throws IOException {
        Path data = csv(200);
        String[] outs = new String[3];
        long[] seeds = {7, 7, 8};
        for (int k = 0; k < 3; k++) {
            Path saved = dir.resolve("m" + k + ".json");
            Cli r = Cli.run(
                    "train",
                    "--data",
                    data.toString(),
                    "--epochs",
                    "3",
                    "--batch",
                    "10",
                    "--shuffle",
                    "--seed",
                    Long.toString(seeds[k]),
                    "--save",
                    saved.toString());
            assertEquals(0, r.code(), r.toString());
            outs[k] = Files.readString(saved);
        }
        assertEquals(outs[0], outs[1]);
        assertNotEquals(outs[0], outs[2]);
    }

    @Test
    void trainsOnTheBuiltInDataInFp32() {
        Cli r = Cli.run("train", "--samples", "2000", "--epochs", "2", "--precision", "fp32");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("built-in synthetic data, 2000 samples of 16 inputs and 4 targets"), r.out());
        assertTrue(r.out().contains("fp32"), r.out());
        assertEquals(2, epochLosses(r.out()).size(), r.out());
    }

    @Test
    void zeroEpochsTrainsNothingAndSaysSo() {
        Cli r = Cli.run("train", "--samples", "10", "--epochs", "0");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("trained nothing"), r.out());
    }

    @Test
    void outputsThatAgreeWithTheModelAreAccepted() throws IOException {
        Path model = Files.writeString(
                dir.resolve("m.json"), "{\"layers\": [{\"inputs\": 2, \"outputs\": 1, \"activation\": \"sigmoid\"}]}");
        Cli r = Cli.run(
                "train",
                "--model",
                model.toString(),
                "--data",
                csv(20).toString(),
                "--outputs",
                "1",
                "--epochs",
                "1",
                "--backend",
                "cpu");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("20 samples of 2 inputs and 1 target"), r.out());
    }

    @Test
    void countsOfOneAreSingular() throws IOException {
        Cli r = Cli.run("train", "--data", csv(1).toString(), "--epochs", "1", "--backend", "cpu");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("data.csv, 1 sample of 2 inputs and 1 target"), r.out());
        assertTrue(r.out().contains("trained 1 sample in 1 step, "), r.out());
    }

    @Test
    void devicesListsTheCpuAndWhatAutoPicks() {
        Cli r = Cli.run("devices");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("cpu: usable"), r.out());
        assertTrue(r.out().contains("auto picks: "), r.out());
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"example", "train", "devices"}) {
            Cli r = Cli.run(cmd, "--help");
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("Usage: engine " + cmd), r.out());
        }
        assertTrue(Cli.run("--help").out().contains("Usage: engine"));
    }
}

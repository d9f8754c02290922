package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.model.Checkpoint;
import dev.nabla.model.Layer;
import dev.nabla.model.ModelFile;
import dev.nabla.model.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** predict and evaluate take a checkpoint as the model, and give what its network as model JSON gives. */
class CheckpointAsModelTest {
    @TempDir
    Path dir;

    private Path data;

    @BeforeEach
    void data() throws IOException {
        SplittableRandom rng = new SplittableRandom(3);
        StringBuilder sb = new StringBuilder("x1,x2,y\n");
        for (int r = 0; r < 300; r++) {
            double a = rng.nextDouble(-1, 1);
            double b = rng.nextDouble(-1, 1);
            sb.append(String.format(Locale.ROOT, "%.6f,%.6f,%.6f%n", a, b, 1 / (1 + Math.exp(-(a - 2 * b)))));
        }
        data = Files.writeString(dir.resolve("d.csv"), sb.toString());
    }

    /** Trains in {@code precision} and saves a checkpoint. */
    private Path checkpoint(String precision) {
        Path ck = dir.resolve(precision + ".safetensors");
        Cli r = Cli.run(
                "train",
                "--data",
                data.toString(),
                "--epochs",
                "2",
                "--batch",
                "32",
                "--backend",
                "cpu",
                "--precision",
                precision,
                "--save",
                ck.toString());
        assertEquals(0, r.code(), r.toString());
        return ck;
    }

    @Test
    void predictAndEvaluateReadACheckpointAsTheNetworkItHolds() throws IOException {
        for (String precision : new String[] {"fp64", "fp32"}) {
            Path ck = checkpoint(precision);
            Network net = Checkpoint.read(ck).network();
            if (precision.equals("fp32")) {
                for (Layer l : net.layers()) {
                    for (double w : l.weights()) {
                        assertEquals(w, (float) w, 0.0, "fp32 weights come back as floats widened to double");
                    }
                }
            }
            Path json = dir.resolve(precision + ".json");
            ModelFile.write(net, json);

            Path fromCheckpoint = dir.resolve(precision + "-ck.csv");
            Path fromJson = dir.resolve(precision + "-json.csv");
            Cli p = Cli.run(
                    "predict", "--model", ck.toString(), "--data", data.toString(), "--out", fromCheckpoint.toString());
            assertEquals(0, p.code(), p.toString());
            assertEquals(
                    0,
                    Cli.run(
                                    "predict",
                                    "--model",
                                    json.toString(),
                                    "--data",
                                    data.toString(),
                                    "--out",
                                    fromJson.toString())
                            .code());
            assertEquals(Files.readString(fromJson), Files.readString(fromCheckpoint), precision);

            Cli a = Cli.run("evaluate", "--model", ck.toString(), "--data", data.toString());
            Cli b = Cli.run("evaluate", "--model", json.toString(), "--data", data.toString());
            assertEquals(0, a.code(), a.toString());
            assertTrue(a.out().contains("loss "), a.out());
            assertEquals(b.out(), a.out(), precision);
        }
    }

    @Test
    void aCheckpointNamedOtherwiseIsKnownByItsHeader() throws IOException {
        Path ck = checkpoint("fp64");
        Path renamed = Files.copy(ck, dir.resolve("model.bin"));
        Cli r = Cli.run("evaluate", "--model", renamed.toString(), "--data", data.toString());
        assertEquals(0, r.code(), r.toString());
        Cli train = Cli.run("train", "--model", renamed.toString(), "--data", data.toString(), "--epochs", "1");
        assertEquals(2, train.code(), train.toString());
        assertEquals(
                "engine: " + renamed + " is a checkpoint, not model JSON; continue its run with --resume " + renamed,
                train.errorLine());
        Cli resumed = Cli.run("train", "--resume", renamed.toString(), "--data", data.toString(), "--epochs", "3");
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.out().contains("resumed at epoch 3"), resumed.out());
    }
}

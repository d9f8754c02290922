package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sizes past what one array holds end as one line naming the limit, before anything is allocated. */
class LimitsTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    /** {@code rows} lines of {@code row}. */
    private Path rows(String name, String row, int rows) throws IOException {
        return write(name, (row + "\n").repeat(rows));
    }

    private static void refused(Cli r, String message) {
        assertEquals(2, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), "one line on stderr: " + r);
        assertTrue(r.errorLine().contains(message), "expected '" + message + "' in: " + r.errorLine());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @Test
    void predictionsBeyondOneNpyArrayAskForCsv() throws IOException {
        // 32769 samples of 65536 outputs are 2^31 + 2^16 values.
        Path model =
                write("m.json", "{\"layers\": [{\"inputs\": 1, \"outputs\": 65536, \"activation\": \"identity\"}]}");
        Path data = rows("x.csv", "0.5", 32769);
        Path out = dir.resolve("p.npy");
        refused(
                Cli.run("predict", "--model", model.toString(), "--data", data.toString(), "--out", out.toString()),
                out + ": 32769 predictions of 65536 values are 2147549184 values, more than one .npy output holds "
                        + "(2147483639); write CSV (an --out not ending in .npy)");
        assertFalse(Files.exists(out));
    }

    /** A model whose hidden layer of 50000 units makes a batch of more than 42949 samples overflow one array. */
    private Path wideModel() throws IOException {
        return write(
                "wide.json",
                "{\"layers\": [{\"inputs\": 1, \"outputs\": 50000, \"activation\": \"sigmoid\"},"
                        + " {\"inputs\": 50000, \"outputs\": 1, \"activation\": \"sigmoid\"}]}");
    }

    @Test
    void aBatchWiderThanOneArrayIsRefusedByPredictAndEvaluate() throws IOException {
        Path model = wideModel();
        Path data = rows("xy.csv", "0.5,0.5", 50000);
        String message = "--batch 50000 is more than one batch of this model holds: at most 42949 samples "
                + "(50000 values a sample in its widest layer, in arrays of at most 2147483639)";
        refused(
                Cli.run(
                        "predict",
                        "--model",
                        model.toString(),
                        "--data",
                        data.toString(),
                        "--out",
                        dir.resolve("p.csv").toString(),
                        "--batch",
                        "50000"),
                message);
        refused(
                Cli.run("evaluate", "--model", model.toString(), "--data", data.toString(), "--batch", "50000"),
                message);
    }

    @Test
    void aMicroBatchWiderThanOneArrayIsRefusedByTrain() throws IOException {
        Path model = wideModel();
        Path data = rows("xy.csv", "0.5,0.5", 50000);
        refused(
                Cli.run(
                        "train",
                        "--model",
                        model.toString(),
                        "--data",
                        data.toString(),
                        "--epochs",
                        "1",
                        "--batch",
                        "50000",
                        "--micro-batch",
                        "50000"),
                "--micro-batch 50000 is more than one micro-batch of this model holds: at most 42949 samples "
                        + "(50000 values a sample in its widest layer, in arrays of at most 2147483639)");
    }
}

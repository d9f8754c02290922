package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.model.Checkpoint;
import dev.nabla.train.TrainingLoop;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What train shows and writes: progress, --quiet, --metrics, --plot, checkpoints and the rules of --resume. */
class TrainingOutputTest {
    @TempDir
    Path dir;

    private String inDir(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void aTerminalGetsABarRedrawnInPlaceALogGetsPlainLines() {
        StringWriter bar = new StringWriter();
        TrainingReport r = new TrainingReport(
                new PrintWriter(bar), new PrintWriter(new StringWriter()), TrainingReport.Mode.BAR, 120, 3, null, null);
        TrainingLoop.Position next = new TrainingLoop.Position(1, 5, 5, 0);
        TrainingLoop.Step s = new TrainingLoop.Step(1, 5, 5, 10, 0.5, 0.0123, 100, -1, 0.01, next);
        r.stepDone(s);
        assertTrue(
                bar.toString().startsWith("\repoch 1/3 [############------------]  50%  step 5/10  loss 0.01230000"),
                bar.toString());
        assertTrue(bar.toString().contains("left 0:00"), bar.toString());

        StringWriter lines = new StringWriter();
        TrainingReport plain = new TrainingReport(
                new PrintWriter(lines),
                new PrintWriter(new StringWriter()),
                TrainingReport.Mode.LINES,
                80,
                3,
                null,
                null);
        plain.stepDone(s);
        plain.epochDone(new TrainingLoop.Epoch(1, 0.01, 0.02, 1000, 10, 1.0));
        String text = lines.toString();
        assertTrue(text.contains("epoch 1/3  loss 0.01000000  held-out loss 0.02000000"), text);
        assertFalse(text.chars().anyMatch(c -> c < 0x20 && c != '\n'), "no control characters in a log: " + text);
        assertEquals("1:01:05", TrainingReport.clock(3665));

        StringWriter classes = new StringWriter();
        TrainingReport c = new TrainingReport(
                new PrintWriter(classes),
                new PrintWriter(new StringWriter()),
                TrainingReport.Mode.LINES,
                80,
                3,
                null,
                null);
        c.epochDone(new TrainingLoop.Epoch(2, 0.31, 0.42, 1000, 10, 1.0, 0.93125, 0.875));
        assertTrue(
                classes.toString()
                        .startsWith("epoch 2/3  loss 0.31000000  accuracy 93.13%  held-out loss 0.42000000  "
                                + "held-out accuracy 87.50%  1.00 s"),
                classes.toString());
    }

    /** A line as wide as the terminal wraps, and a bar redrawn with a carriage return then piles up lines. */
    @Test
    void theBarFitsTheTerminal() {
        TrainingLoop.Position next = new TrainingLoop.Position(2, 258, 1040, 0);
        TrainingLoop.Step s = new TrainingLoop.Step(2, 1040, 258, 782, 0.5, 0.02248001, 256, -1, 0.0003, next);
        for (int columns : new int[] {40, 60, 80, 120}) {
            StringWriter bar = new StringWriter();
            TrainingReport r = new TrainingReport(
                    new PrintWriter(bar),
                    new PrintWriter(new StringWriter()),
                    TrainingReport.Mode.BAR,
                    columns,
                    3,
                    null,
                    null);
            r.stepDone(s);
            String drawn = bar.toString().replace("\r", "").replace("\u001b[K", "");
            assertTrue(drawn.length() < columns, columns + " columns: " + drawn.length() + " drawn: " + drawn);
            assertTrue(drawn.startsWith("epoch 2/3"), drawn);
            if (columns >= 80) {
                assertTrue(drawn.contains("loss 0.02248001"), columns + " columns keep the loss: " + drawn);
            }
        }
        StringWriter wide = new StringWriter();
        new TrainingReport(
                        new PrintWriter(wide),
                        new PrintWriter(new StringWriter()),
                        TrainingReport.Mode.BAR,
                        120,
                        3,
                        null,
                        null)
                .stepDone(s);
        assertTrue(wide.toString().contains(" [#######---"), "a wide terminal keeps the graphic: " + wide);
    }

    @Test
    void quietPrintsOnlyTheResultAndMetricsAndPlotAreWritten() throws IOException {
        Cli r = Cli.run(
                "train",
                "--samples",
                "3000",
                "--epochs",
                "3",
                "--batch",
                "100",
                "--validation",
                "0.2",
                "--quiet",
                "--metrics",
                inDir("m.csv"),
                "--plot",
                inDir("loss.png"));
        assertEquals(0, r.code(), r.toString());
        assertEquals(1, r.out().lines().count(), "only the result: " + r.out());
        assertTrue(r.out().startsWith("trained 7,200 samples in 72 steps"), r.out());
        List<String> csv = Files.readAllLines(dir.resolve("m.csv"));
        assertEquals(
                "step,epoch,loss,validation_loss,samples_per_second,learning_rate,accuracy,validation_accuracy",
                csv.get(0));
        assertEquals(73, csv.size(), "a row per step");
        assertTrue(
                csv.get(24).matches("24,1,[0-9.E-]+,[0-9.E-]+,[0-9.]+,0.5,,"),
                "the epoch's last step has the held-out loss, and mse no accuracy: " + csv.get(24));
        assertTrue(csv.get(23).matches("23,1,[0-9.E-]+,,[0-9.]+,0.5,,"), csv.get(23));
        byte[] png = Files.readAllBytes(dir.resolve("loss.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4), "a PNG");
        assertTrue(png.length > 5000, "with a chart in it: " + png.length + " bytes");
    }

    @Test
    void aCheckpointResumesOnlyTheRunItRecorded() throws IOException {
        Path ckpt = dir.resolve("run.safetensors");
        Cli first = Cli.run(
                "train",
                "--samples",
                "2000",
                "--epochs",
                "1",
                "--batch",
                "50",
                "--lr",
                "0.3",
                "--save",
                ckpt.toString());
        assertEquals(0, first.code(), first.toString());
        assertEquals("0.3", Checkpoint.read(ckpt).get("nabla.learning_rate"));

        Cli differentLr =
                Cli.run("train", "--samples", "2000", "--epochs", "2", "--resume", ckpt.toString(), "--lr", "0.4");
        assertEquals(2, differentLr.code(), differentLr.toString());
        assertTrue(
                differentLr.errorLine().contains("--lr 0.4 differs from the 0.3 the checkpoint's run used"),
                differentLr.errorLine());

        Cli otherData = Cli.run("train", "--samples", "3000", "--epochs", "2", "--resume", ckpt.toString());
        assertEquals(2, otherData.code(), otherData.toString());
        assertTrue(otherData.errorLine().contains("the run trained on 2000 samples"), otherData.errorLine());

        Cli more = Cli.run(
                "train", "--samples", "2000", "--epochs", "2", "--resume", ckpt.toString(), "--save", ckpt.toString());
        assertEquals(0, more.code(), more.toString());
        assertTrue(more.out().contains("resumed at epoch 2 step 1 (40 steps done)"), more.out());
        assertTrue(more.out().contains("epoch 2/2"), more.out());
        assertFalse(more.out().contains("epoch 1/2"), more.out());

        Files.write(ckpt, Arrays.copyOf(Files.readAllBytes(ckpt), 100));
        Cli torn = Cli.run("train", "--samples", "2000", "--resume", ckpt.toString());
        assertEquals(2, torn.code(), torn.toString());
        assertTrue(torn.errorLine().contains("not a valid checkpoint"), torn.errorLine());
    }

    @Test
    void aResumedRunHoldsOutWhatTheRecordedRunHeldOut() throws IOException {
        Path part = dir.resolve("part.safetensors");
        Path whole = dir.resolve("whole.safetensors");
        String[] run = {"train", "--samples", "2000", "--batch", "50", "--validation", "0.25"};
        Cli straight = Cli.run(concat(run, "--epochs", "2", "--save", whole.toString()));
        assertEquals(0, straight.code(), straight.toString());
        Cli first = Cli.run(concat(run, "--epochs", "1", "--save", part.toString()));
        assertEquals(0, first.code(), first.toString());
        assertEquals("0.25", Checkpoint.read(part).get("nabla.validation"));

        // No --validation: the checkpoint's fraction holds out the same samples.
        Cli resumed = Cli.run(
                "train", "--samples", "2000", "--epochs", "2", "--resume", part.toString(), "--save", part.toString());
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(
                resumed.out().contains("held out: built-in synthetic data (samples 1501 to 2000), 500 samples"),
                resumed.out());
        assertEquals(
                Checkpoint.read(whole).network(), Checkpoint.read(part).network(), "the uninterrupted run's weights");

        Cli other = Cli.run(
                "train", "--samples", "2000", "--epochs", "3", "--resume", part.toString(), "--validation", "0.5");
        assertEquals(2, other.code(), other.toString());
        assertTrue(
                other.errorLine().contains("--validation 0.5 differs from the 0.25 the checkpoint's run used"),
                other.errorLine());
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Test
    void checkpointFlagsAreChecked() {
        Cli every = Cli.run("train", "--samples", "100", "--checkpoint-every", "5", "--save", inDir("m.json"));
        assertEquals(2, every.code());
        assertTrue(every.errorLine().contains("--checkpoint-every needs --save FILE.safetensors"), every.errorLine());
        Cli json = Cli.run("train", "--samples", "100", "--resume", inDir("m.json"));
        assertEquals(2, json.code());
        assertTrue(json.errorLine().contains("--resume needs a .safetensors checkpoint"), json.errorLine());
        assertFalse(Files.exists(dir.resolve("m.json")));
    }
}

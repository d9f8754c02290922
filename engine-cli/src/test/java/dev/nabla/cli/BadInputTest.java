package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way the issue lists of giving {@code engine train} bad input ends with exit code 2, one
 * line on stderr that names the problem and where, no stack trace, and no file written or changed.
 */
class BadInputTest {
    @TempDir
    Path dir;

    private static final String GOOD_MODEL =
            "{\"layers\": [{\"inputs\": 2, \"outputs\": 2, \"activation\": \"sigmoid\"}]}";

    @BeforeEach
    void goodFiles() throws IOException {
        write("good.csv", "x1,x2,t1,t2\n0.1,0.2,0.4,0.6\n0.3,0.4,0.5,0.6\n");
        write("good.json", GOOD_MODEL);
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }

    /** name, files to write (name, content, ...), arguments, what the error line must contain. */
    static Stream<Arguments> cases() {
        return Stream.of(
                badCase("missing data file", files(), "--data {}/nope.csv --outputs 2", "nope.csv: no such file"),
                badCase(
                        "missing model file",
                        files(),
                        "--model {}/nope.json --data {}/good.csv",
                        "nope.json: no such file"),
                badCase("directory as data", files(), "--data {}", ": is a directory, not a file"),
                badCase(
                        "cell not a number",
                        files("d.csv", "0.1,0.2,0.4,0.6\n0.1,0.2,0.4,0.6\n0.3,x7,0.1,0.2\n"),
                        "--data {}/d.csv --outputs 2",
                        "d.csv:3:2: column 2 is 'x7', not a number"),
                badCase(
                        "unterminated quote",
                        files("d.csv", "0.1,0.2,0.4,0.6\r\n\"0.3\",\"0.1,0.2,0.1\r\n"),
                        "--data {}/d.csv --outputs 2",
                        "d.csv:2:2: column 2 opens a quote that does not close on its line"),
                badCase(
                        "quoted cell not a number",
                        files("d.csv", "0.1,0.2,0.4,0.6\n0.3,\"x\",0.1,0.2\n"),
                        "--data {}/d.csv --outputs 2",
                        "d.csv:2:2: column 2 is '\"x\"', not a number (a quoted cell must hold a number)"),
                badCase(
                        "empty cell",
                        files("d.csv", "0.1,,0.4,0.6\n"),
                        "--data {}/d.csv --outputs 2",
                        "d.csv:1:2: column 2 is empty"),
                badCase(
                        "row too short",
                        files("d.csv", "0.1,0.2,0.4,0.6\n0.3,0.1,0.2\n"),
                        "--data {}/d.csv --outputs 2",
                        "d.csv:2: 3 columns, but 4 expected"),
                badCase(
                        "row too long",
                        files("d.csv", "h1,h2,h3,h4\n0.1,0.2,0.4,0.6\n0.1,0.2,0.4,0.6\n0.3,0.1,0.2,0.1,0.1\n"),
                        "--data {}/d.csv --outputs 2",
                        "d.csv:4: 5 columns, but 4 expected"),
                badCase(
                        "NaN in data",
                        files("d.csv", "0.1,0.2,0.4,0.6\n0.3,NaN,0.1,0.2\n"),
                        "--data {}/d.csv",
                        "d.csv:2:2: column 2 is NaN"),
                badCase(
                        "infinity in data",
                        files("d.csv", "0.1,0.2,0.4,-inf\n"),
                        "--data {}/d.csv",
                        "d.csv:1:4: column 4 is -inf"),
                badCase(
                        "overflowing number in data",
                        files("d.csv", "0.1,1e999,0.4\n"),
                        "--data {}/d.csv",
                        "d.csv:1:2: column 2 is 1e999, beyond the range of a double"),
                badCase("empty file", files("d.csv", ""), "--data {}/d.csv", "d.csv: no samples (the file is empty)"),
                badCase(
                        "header only",
                        files("d.csv", "a,b,c\n"),
                        "--data {}/d.csv",
                        "d.csv: no samples (only a header)"),
                badCase(
                        "NUL byte in data",
                        files("d.csv", "0.1,0.2,0.4,0.6\n0.1,\u00000.2,0.4,0.6\n"),
                        "--data {}/d.csv --outputs 2",
                        "d.csv:2:2: a NUL byte; this is not a text CSV file"),
                badCase(
                        "cells separated by semicolons",
                        files("d.csv", "x1;x2;t1\n0.1;0.2;0.4\n"),
                        "--data {}/d.csv",
                        "d.csv:1: the cells are separated by ';', not commas; Nabla reads comma-separated values"),
                badCase(
                        "cells separated by tabs",
                        files("d.csv", "0.1\t0.2\t0.4\n"),
                        "--data {}/d.csv",
                        "d.csv:1: the cells are separated by tabs, not commas; Nabla reads comma-separated values"),
                badCase(
                        "checkpoint as --model",
                        files("ck.safetensors", "not even a checkpoint"),
                        "--model {}/ck.safetensors --data {}/good.csv",
                        "ck.safetensors is a checkpoint, not model JSON; continue its run with --resume "),
                badCase(
                        "checkpoint by its header as --model",
                        files("ck.bin", "\u0002\u0000\u0000\u0000\u0000\u0000\u0000\u0000{}"),
                        "--model {}/ck.bin --data {}/good.csv",
                        "ck.bin is a checkpoint, not model JSON; continue its run with --resume "),
                badCase(
                        "malformed JSON",
                        files("m.json", "{\"layers\": [\n  {\"inputs\": 2,, }]}"),
                        "--model {}/m.json --data {}/good.csv",
                        "m.json:2:16: unexpected ','"),
                badCase(
                        "JSON cut short",
                        files("m.json", "{\"layers\": [{\"inputs\": 2"),
                        "--model {}/m.json --data {}/good.csv",
                        "m.json:1:25: unexpected end of file"),
                badCase(
                        "unknown activation",
                        files("m.json", "{\"layers\": [{\"inputs\": 2, \"outputs\": 2, \"activation\": \"sigmod\"}]}"),
                        "--model {}/m.json --data {}/good.csv",
                        "m.json:1:55: unknown activation 'sigmod'"),
                badCase(
                        "unknown loss",
                        files(
                                "m.json",
                                "{\"loss\": \"mae\", \"layers\": [{\"inputs\": 2, \"outputs\": 2, \"activation\": \"relu\"}]}"),
                        "--model {}/m.json --data {}/good.csv",
                        "m.json:1:10: unknown loss 'mae'"),
                badCase(
                        "layers do not chain",
                        files(
                                "m.json",
                                "{\"layers\": [{\"inputs\": 2, \"outputs\": 3, \"activation\": \"tanh\"},\n"
                                        + "  {\"inputs\": 2, \"outputs\": 2, \"activation\": \"tanh\"}]}"),
                        "--model {}/m.json --data {}/good.csv",
                        "m.json:2:3: layer 2 has 2 inputs, but layer 1 has 3 outputs"),
                badCase(
                        "weights rows",
                        files(
                                "m.json",
                                "{\"layers\": [{\"inputs\": 2, \"outputs\": 2, \"activation\": \"tanh\", "
                                        + "\"weights\": [[1, 2]]}]}"),
                        "--model {}/m.json --data {}/good.csv",
                        "layer 1 weights has 1 row, but the layer has 2 outputs"),
                badCase(
                        "weights columns",
                        files(
                                "m.json",
                                "{\"layers\": [{\"inputs\": 2, \"outputs\": 2, \"activation\": \"tanh\", "
                                        + "\"weights\": [[1, 2], [3]]}]}"),
                        "--model {}/m.json --data {}/good.csv",
                        "layer 1 weights row 2 has 1 column, but the layer has 2 inputs"),
                badCase(
                        "bias length",
                        files(
                                "m.json",
                                "{\"layers\": [{\"inputs\": 2, \"outputs\": 2, \"activation\": \"tanh\", "
                                        + "\"bias\": [1, 2, 3]}]}"),
                        "--model {}/m.json --data {}/good.csv",
                        "layer 1 bias has 3 values, but the layer has 2 outputs"),
                badCase(
                        "data narrower than the model",
                        files("m.json", "{\"layers\": [{\"inputs\": 3, \"outputs\": 2, \"activation\": \"tanh\"}]}"),
                        "--model {}/m.json --data {}/good.csv",
                        "good.csv:2: 4 columns, but 5 expected (the model takes 3 inputs and 2 targets)"),
                badCase(
                        "--outputs contradicting the model",
                        files("m.json", GOOD_MODEL),
                        "--model {}/m.json --data {}/good.csv --outputs 1",
                        "--outputs 1 differs from the 2 outputs of "),
                badCase("learning rate zero", files(), "--lr 0", "--lr must be a positive finite number"),
                badCase("learning rate negative", files(), "--lr -0.5", "--lr must be a positive finite number"),
                badCase("learning rate NaN", files(), "--lr NaN", "--lr must be a positive finite number"),
                badCase("learning rate infinite", files(), "--lr Infinity", "--lr must be a positive finite number"),
                badCase("learning rate not a number", files(), "--lr fast", "Invalid value for option '--lr': 'fast'"),
                badCase(
                        "more samples than the built-in data holds",
                        files(),
                        "--samples 2147483647",
                        "--samples 2147483647 is more than the built-in data holds: at most 134217727 samples"),
                badCase("batch zero", files(), "--batch 0", "--batch must be at least 1, not 0"),
                badCase("epochs negative", files(), "--epochs -1", "--epochs must be 0 or more, not -1"),
                badCase("unknown flag", files(), "--frobnicate", "Unknown option: '--frobnicate'"),
                badCase("unknown backend", files(), "--backend tpu", "unknown backend 'tpu'"),
                badCase("unknown precision", files(), "--precision fp16", "unknown precision 'fp16'"),
                badCase(
                        "tf32 on the CPU",
                        files(),
                        "--precision tf32 --backend cpu",
                        "tf32 runs matrix products on NVIDIA tensor cores"),
                badCase("save into a missing directory", files(), "--save {}/no/such/dir/out.json", "does not exist"),
                badCase(
                        "label out of range",
                        files("l.csv", "0.1,0.2,1\n0.3,0.4,0\n0.5,0.6,2\n"),
                        "--model {}/good.json --data {}/l.csv --labels",
                        "l.csv:3:3: label 2 is not a class index 0..1 (the model has 2 outputs)"),
                badCase(
                        "label not a whole number",
                        files("l.csv", "0.1,0.2,1\n0.3,0.4,0.5\n"),
                        "--model {}/good.json --data {}/l.csv --labels",
                        "l.csv:2:3: label 0.5 is not a class index 0..1 (the model has 2 outputs)"),
                badCase(
                        "label out of range, implied by a classifier",
                        files(
                                "bce.json",
                                "{\"loss\": \"binary-cross-entropy\", \"layers\": [{\"inputs\": 2, \"outputs\": 2, "
                                        + "\"activation\": \"sigmoid\"}]}",
                                "l.csv",
                                "0.1,0.2,1\n0.3,0.4,-1\n"),
                        "--model {}/bce.json --data {}/l.csv",
                        "l.csv:2:3: label -1 is not a class index 0..1 (the model has 2 outputs)"),
                badCase(
                        "standardize of the wrong length",
                        files(
                                "s.json",
                                "{\"layers\": [{\"inputs\": 2, \"outputs\": 2, \"activation\": \"sigmoid\"}],\n"
                                        + " \"standardize\": {\"mean\": [0, 0], \"scale\": [1, 2, 3]}}"),
                        "--model {}/s.json --data {}/good.csv",
                        "s.json:2:43: standardize scale has 3 values, but the first layer has 2 inputs"),
                badCase(
                        "standardize with a zero scale",
                        files(
                                "s.json",
                                "{\"layers\": [{\"inputs\": 2, \"outputs\": 2, \"activation\": \"sigmoid\"}],\n"
                                        + " \"standardize\": {\"mean\": [0, 0], \"scale\": [1, 0]}}"),
                        "--model {}/s.json --data {}/good.csv",
                        "standardize scale entry 2 is 0.0; a scale must be positive and finite"),
                badCase(
                        "standardize twice",
                        files(
                                "s.json",
                                "{\"layers\": [{\"inputs\": 2, \"outputs\": 2, \"activation\": \"sigmoid\"}],\n"
                                        + " \"standardize\": {\"mean\": [0, 0], \"scale\": [1, 1]}}"),
                        "--model {}/s.json --data {}/good.csv --standardize",
                        "s.json already standardizes its inputs"));
    }

    private static String[] files(String... nameContent) {
        return nameContent;
    }

    private static Arguments badCase(String name, String[] files, String args, String message) {
        return Arguments.of(name, files, args, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void endsWithOneLineAndExitCode2AndWritesNothing(String name, String[] files, String args, String message)
            throws IOException {
        for (int i = 0; i < files.length; i += 2) {
            write(files[i], files[i + 1]);
        }
        Map<Path, byte[]> before = snapshot();
        List<String> argv = new ArrayList<>(List.of("train", "--epochs", "1", "--samples", "64"));
        if (args.contains("--data") || args.contains("--samples")) {
            argv.remove("--samples");
            argv.remove("64");
        }
        if (args.contains("--epochs")) {
            argv.remove("--epochs");
            argv.remove("1");
        }
        for (String a : args.split(" ")) {
            argv.add(a.replace("{}", dir.toString()));
        }
        if (!args.contains("--save")) {
            argv.add("--save");
            argv.add(dir.resolve("out.json").toString());
        }
        Cli r = Cli.run(argv.toArray(new String[0]));
        assertEquals(2, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), "one line on stderr: " + r);
        assertTrue(r.errorLine().contains(message), "expected '" + message + "' in: " + r.errorLine());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertEquals(before.keySet(), snapshot().keySet(), "no file created or removed");
        before.forEach((p, bytes) -> assertArrayEquals(bytes, read(p), p + " unchanged"));
    }

    private Map<Path, byte[]> snapshot() throws IOException {
        Map<Path, byte[]> m = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).sorted().forEach(p -> m.put(p, read(p)));
        }
        return m;
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Timeout(20)
    void anEndlessFileOfZerosEndsAtItsFirstByte() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.isReadable(zero), "a system with /dev/zero");
        Cli r = Cli.run("train", "--data", zero.toString(), "--epochs", "1");
        assertEquals(2, r.code(), r.toString());
        assertEquals(1, r.err().lines().count(), "one line on stderr: " + r);
        assertEquals("engine: /dev/zero:1:1: a NUL byte; this is not a text CSV file", r.errorLine());
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli r = Cli.run("train", "--data", dir.resolve("nope.csv").toString(), "--verbose");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().lines().findFirst().orElse("").contains("nope.csv: no such file"), r.toString());
        assertTrue(r.err().contains("\tat dev.nabla."), "stack trace with --verbose: " + r);
    }

    @Test
    void aDivergingLossStopsTrainingNamesTheStepAndKeepsThePreviousModelFile() throws IOException {
        write("lin.json", "{\"layers\": [{\"inputs\": 1, \"outputs\": 1, \"activation\": \"identity\"}]}");
        write("huge.csv", "1e100,1\n1e100,1\n1e100,1\n");
        Path saved = write("saved.json", "previous model");
        Cli r = Cli.run(
                "train",
                "--model",
                dir.resolve("lin.json").toString(),
                "--data",
                dir.resolve("huge.csv").toString(),
                "--batch",
                "1",
                "--lr",
                "1",
                "--save",
                saved.toString(),
                "--metrics",
                dir.resolve("m.csv").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.errorLine().contains("training diverged"), r.errorLine());
        assertTrue(r.errorLine().contains("at epoch 1, step 2"), r.errorLine());
        assertEquals("previous model", Files.readString(saved), "--save writes nothing after divergence");
        List<String> metrics = Files.readAllLines(dir.resolve("m.csv"));
        assertEquals(2, metrics.size(), "the metrics keep the step before the divergence: " + metrics);
        assertTrue(metrics.get(1).startsWith("1,1,"), metrics.toString());
    }

    @Test
    void noCommandIsAUsageError() {
        Cli r = Cli.run();
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.errorLine().contains("a command is needed"), r.errorLine());
    }

    @Test
    void predictAndEvaluateRefuseAModelWhoseStandardizeHasTheWrongLength() throws IOException {
        Path model = write(
                "s.json",
                "{\"layers\": [{\"inputs\": 2, \"outputs\": 2, \"activation\": \"sigmoid\"}],\n"
                        + " \"standardize\": {\"mean\": [0], \"scale\": [1, 1]}}");
        Path out = dir.resolve("p.csv");
        for (String[] args : new String[][] {
            {
                "predict",
                "--model",
                model.toString(),
                "--data",
                dir.resolve("good.csv").toString(),
                "--out",
                out.toString()
            },
            {
                "evaluate",
                "--model",
                model.toString(),
                "--data",
                dir.resolve("good.csv").toString()
            }
        }) {
            Cli r = Cli.run(args);
            assertEquals(2, r.code(), r.toString());
            assertEquals(
                    "engine: " + model + ":2:26: standardize mean has 1 value, but the first layer has 2 inputs",
                    r.errorLine());
            assertFalse(Files.exists(out));
        }
    }
}

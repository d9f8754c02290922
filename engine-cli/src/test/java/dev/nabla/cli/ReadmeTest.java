package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's promises: its Java program compiles, runs and prints what it says; CI runs its test command. */
class ReadmeTest {
    private static final Path README = Path.of("..", "README.md");

    private static String readme() throws IOException {
        return Files.readString(README, StandardCharsets.UTF_8);
    }

    /** The README's Java program that declares {@code public class name}. */
    private static String program(String name) throws IOException {
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme());
        while (m.find()) {
            if (m.group(1).contains("public class " + name + " ")) {
                return m.group(1);
            }
        }
        throw new AssertionError("the README has no Java program " + name);
    }

    /** Compiles {@code source}, a public class {@code name}, against the test class path, runs its main and returns what it printed. */
    private static String compileAndRun(Path dir, String name, String source) throws Exception {
        Path file = dir.resolve(name + ".java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(
                null,
                diagnostics,
                diagnostics,
                "-cp",
                System.getProperty("java.class.path"),
                "-d",
                dir.toString(),
                file.toString());
        assertEquals(0, rc, "javac: " + diagnostics.toString(StandardCharsets.UTF_8));

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {dir.toUri().toURL()}, ReadmeTest.class.getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Method main = loader.loadClass(name).getMethod("main", String[].class);
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(old);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theEmbeddingProgramCompilesRunsAndReproducesTheDocument(@TempDir Path dir) throws Exception {
        String out = compileAndRun(dir, "DocumentExampleProgram", program("DocumentExampleProgram"));
        assertTrue(out.contains("E_total 0.02397190 -> 0.02323634"), out);
        assertTrue(out.contains("W5+ = 0.43703857, W6+ = 0.38685205, W7+ = 0.69629578, W8+ = 0.59624247"), out);
        assertTrue(readme().contains("It prints `E_total 0.02397190 -> 0.02323634`"), "the README says what it prints");
    }

    /** The Spark program trains as {@code engine train} with the same options on one machine, and prints what the README says. */
    @Test
    void theSparkProgramCompilesRunsAndTrainsAsOneMachine(@TempDir Path dir) throws Exception {
        String out = compileAndRun(dir, "TrainOnSpark", program("TrainOnSpark")).strip();
        assertTrue(readme().contains("It prints `" + out + "`"), "the README says what it prints: " + out);
        Cli one = Cli.run("train", "--samples", "20000", "--epochs", "2", "--batch", "1000", "--shuffle");
        assertEquals(0, one.code(), one.toString());
        Matcher last = Pattern.compile("epoch 2/2  loss (\\S+)").matcher(one.out());
        assertTrue(last.find(), one.out());
        assertTrue(
                out.startsWith("loss " + last.group(1) + " after 40 steps on 2 partitions"), out + " / " + one.out());
    }

    @Test
    void ciRunsTheReadmesTestCommand() throws IOException {
        List<String> ci = Files.readAllLines(Path.of("..", ".ci", "run"));
        String command = ci.get(ci.size() - 1).strip();
        assertTrue(readme().contains("```\n" + command + "\n```"), "README shows the command .ci/run runs: " + command);
    }
}

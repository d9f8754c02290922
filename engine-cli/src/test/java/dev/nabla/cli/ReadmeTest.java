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

    @Test
    void theEmbeddingProgramCompilesRunsAndReproducesTheDocument(@TempDir Path dir) throws Exception {
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme());
        assertTrue(m.find(), "the README has a Java program");
        String source = m.group(1);
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(cls.find());
        String name = cls.group(1);
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
                new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Method main = loader.loadClass(name).getMethod("main", String[].class);
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(old);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("E_total 0.02397190 -> 0.02323634"), out);
        assertTrue(out.contains("W5+ = 0.43703857, W6+ = 0.38685205, W7+ = 0.69629578, W8+ = 0.59624247"), out);
        assertTrue(readme().contains("It prints `E_total 0.02397190 -> 0.02323634`"), "the README says what it prints");
    }

    @Test
    void ciRunsTheReadmesTestCommand() throws IOException {
        List<String> ci = Files.readAllLines(Path.of("..", ".ci", "run"));
        String command = ci.get(ci.size() - 1).strip();
        assertTrue(readme().contains("```\n" + command + "\n```"), "README shows the command .ci/run runs: " + command);
    }
}

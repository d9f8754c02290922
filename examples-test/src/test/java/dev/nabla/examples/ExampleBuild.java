package dev.nabla.examples;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The project in {@code examples/}, copied under {@code target/} and built there by the Maven that
 * runs this build, offline, as a user's project that depends on Nabla: its local repository is the
 * staging one, which holds this build's artifacts, and every other repository is mirrored to the
 * build's own local repository, read as a file URL, for the plugins and third-party jars.
 */
final class ExampleBuild {
    private ExampleBuild() {}

    /** What a finished process printed (stdout and stderr together) and its exit code. */
    record Run(int code, String output) {}

    static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException("system property " + name + " is not set; run this test through Maven "
                    + "(./mvnw verify), whose failsafe configuration sets it");
        }
        return value;
    }

    /** Builds the example project and returns its directory, holding {@code target/nabla-examples.jar}. */
    static Path build(Path work) throws IOException, InterruptedException {
        Path project = work.resolve("examples");
        copyTree(Path.of(property("nabla.examples")), project);
        Path settings = Files.writeString(work.resolve("settings.xml"), mirrorSettings(), StandardCharsets.UTF_8);
        String mvn = Path.of(property("maven.home"), "bin", "mvn").toString();
        List<String> cmd = List.of(
                mvn,
                "-B",
                "-o",
                // Offline refuses every remote repository, a file URL too, unless its protocol is let through.
                "-Daether.offline.protocols=file",
                "-s",
                settings.toString(),
                "-Dmaven.repo.local=" + property("staging.repository"),
                "-Dnabla.version=" + property("nabla.version"),
                "package");
        Run r = run(project, cmd, work.resolve("maven.log"), 300);
        if (r.code() != 0) {
            fail("the example project in examples/ did not build against this build's artifacts (staged in "
                    + property("staging.repository") + "), exit " + r.code() + ": " + String.join(" ", cmd)
                    + "\n--- its output, the last 60 lines ---\n" + tail(r.output(), 60));
        }
        return project;
    }

    /** Runs {@code java -jar target/nabla-examples.jar args} in the built project. */
    static Run runExample(Path project, String... args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = Stream.concat(Stream.of(java, "-jar", "target/nabla-examples.jar"), Stream.of(args))
                .toList();
        return run(project, cmd, project.resolve("target/run-" + String.join("-", args) + ".log"), 120);
    }

    /** Every repository a build names, Maven Central too, read from the build's own local repository. */
    private static String mirrorSettings() {
        String url = Path.of(property("build.repository")).toUri().toString();
        return "<settings>\n  <mirrors>\n    <mirror>\n      <id>build-repository</id>\n"
                + "      <mirrorOf>*</mirrorOf>\n      <url>" + url + "</url>\n    </mirror>\n"
                + "  </mirrors>\n</settings>\n";
    }

    private static Run run(Path dir, List<String> cmd, Path log, int seconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Files.createDirectories(log.getParent());
        pb.redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in " + seconds + " s; its output so far:\n"
                    + tail(Files.readString(log, StandardCharsets.UTF_8), 60));
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Copies the project's own files: not a {@code target/} left by building it in place. */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            files.filter(f -> !from.relativize(f).startsWith("target")).forEach(f -> {
                try {
                    Path dest = to.resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(dest);
                    } else {
                        Files.copy(f, dest);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}

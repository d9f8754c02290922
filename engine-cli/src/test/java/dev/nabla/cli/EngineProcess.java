package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The packaged {@code engine.jar} run as a user runs it: in its own JVM, with real exit codes and streams. */
final class EngineProcess {
    private EngineProcess() {}

    /** What a finished run printed, and its exit code. */
    record Run(int code, String out, String err) {
        /** stderr without the JVM's notice about the incubator module, which every real run prints. */
        List<String> errLines() {
            return err.lines()
                    .filter(l -> !l.equals("WARNING: Using incubator modules: jdk.incubator.vector"))
                    .toList();
        }

        String all() {
            return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /** {@code [prefix...] java [jvmArgs] -jar engine.jar args}: a prefix such as {@code bash -c 'ulimit -f 64; exec "$0" "$@"'}. */
    static List<String> command(List<String> prefix, List<String> jvmArgs, String... args) {
        String jar = System.getProperty("engine.jar", "target/engine.jar");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs the command to its end in {@code dir}, stdout and stderr apart. */
    static Run run(Path dir, List<String> cmd) throws IOException, InterruptedException {
        return run(new ProcessBuilder(cmd).directory(dir.toFile()));
    }

    /** Runs a process to its end (at most 120 s), stdout and stderr apart, kept in its directory meanwhile. */
    static Run run(ProcessBuilder pb) throws IOException, InterruptedException {
        Path dir = pb.directory() == null ? Path.of(".") : pb.directory().toPath();
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", pb.command()) + " did not finish in 120 s");
        }
        Run r = new Run(
                p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    /**
     * A prefix that starts a command with Ctrl-C (SIGINT) at its default, for tests that send it:
     * a shell without job control starts background commands with SIGINT ignored, their children
     * inherit that, and the JVM then leaves it ignored (as it should under nohup). Empty where
     * {@code env --default-signal} (GNU coreutils 8.31+) is missing.
     */
    static List<String> sigintAtDefault() {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=INT", "true").start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0
                    ? List.of("env", "--default-signal=INT")
                    : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Starts the engine in {@code dir} with stdout and stderr together in {@code log}, Ctrl-C at its default. */
    static Process start(Path dir, Path log, String... args) throws IOException {
        return new ProcessBuilder(command(sigintAtDefault(), List.of(), args))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    static void signal(Process p, String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start().waitFor();
    }
}

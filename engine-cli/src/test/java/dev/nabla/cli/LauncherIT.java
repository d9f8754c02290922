package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.cli.EngineProcess.Run;
import dev.nabla.model.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/nabla} run as a user runs it: from other folders, through symlinks, with awkward
 * arguments, with the wrong Java or none, and unpacked from the distribution's tar.gz.
 */
class LauncherIT {
    /** The launcher's code for "could not start the engine" (no Java, an old one, no jar). */
    private static final int CANNOT_START = 3;

    private static final String EXAMPLE_RESULT = "error fell by = 0.00073556";

    static Path launcher() {
        Path p = Path.of(System.getProperty("nabla.launcher", "../bin/nabla"))
                .toAbsolutePath()
                .normalize();
        assertTrue(Files.isRegularFile(p) && Files.isExecutable(p), p + " is an executable file");
        return p;
    }

    /** The source checkout's root: the folder above bin/. */
    private static Path root() throws IOException {
        return launcher().toRealPath().getParent().getParent();
    }

    /** A Java 17+ for the launcher to find: the one running these tests. */
    private static String testJavaHome() {
        return System.getProperty("java.home");
    }

    /**
     * Runs {@code cmd} in {@code dir} with JAVA_HOME set to this JVM's home and no NABLA_JAVA_OPTS,
     * then {@code env} on top (a null value removes the variable).
     */
    private static Run run(Path dir, Map<String, String> env, List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        Map<String, String> e = pb.environment();
        e.put("JAVA_HOME", testJavaHome());
        e.remove("NABLA_JAVA_OPTS");
        env.forEach((k, v) -> {
            if (v == null) {
                e.remove(k);
            } else {
                e.put(k, v);
            }
        });
        return EngineProcess.run(pb);
    }

    private static List<String> cmd(Path program, String... args) {
        List<String> c = new ArrayList<>(List.of(program.toString()));
        c.addAll(List.of(args));
        return c;
    }

    private static Path executable(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /**
     * A JAVA_HOME whose bin/java is a script: it answers the launcher's version probes with
     * {@code settings} (to -XshowSettings:properties) and {@code versionLine} (to -version), both on
     * stderr as Java prints them, and otherwise prints its arguments, one per line in brackets, and
     * exits with 42.
     */
    private static Path fakeJavaHome(Path home, String settings, String versionLine) throws IOException {
        executable(
                home.resolve("bin/java"),
                "#!/bin/sh\n"
                        + "case \"$1\" in\n"
                        + "  -XshowSettings:properties) printf '%s\\n' '" + settings + "' >&2; exit 0 ;;\n"
                        + "  -version) printf '%s\\n' '" + versionLine + "' >&2; exit 0 ;;\n"
                        + "esac\n"
                        + "printf '[%s]\\n' \"$@\"\n"
                        + "exit 42\n");
        return home;
    }

    /** A bash to start the launcher with when PATH is not there to find one. */
    private static String bash() {
        for (String candidate : List.of("/bin/bash", "/usr/bin/bash", "/usr/local/bin/bash")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new AssertionError("no bash in /bin, /usr/bin or /usr/local/bin");
    }

    @Test
    void runsTheExampleFromAnotherFolderThroughAChainOfSymlinks(@TempDir Path dir) throws Exception {
        Path first = dir.resolve("links/one/nabla");
        Files.createDirectories(first.getParent());
        Files.createSymbolicLink(first, launcher()); // absolute target
        Path second = dir.resolve("links/two/nabla");
        Files.createDirectories(second.getParent());
        Files.createSymbolicLink(second, Path.of("../one/nabla")); // relative, against links/two
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));

        Run r = run(elsewhere, Map.of(), cmd(second, "example"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("W5+           = 0.43703857"), r.all());
        assertTrue(r.out().contains(EXAMPLE_RESULT), r.all());

        // The launcher adds --add-modules jdk.incubator.vector: the CPU backend's vectorized kernels are on.
        Run devices = run(elsewhere, Map.of(), cmd(second, "devices"));
        assertEquals(0, devices.code(), devices.all());
        assertTrue(devices.out().contains("kernels: vectorized (Vector API"), devices.all());
    }

    @Test
    void runsWhenSymlinkedOntoPath(@TempDir Path dir) throws Exception {
        Path onPath = Files.createDirectories(dir.resolve("my bin"));
        Files.createSymbolicLink(onPath.resolve("nabla"), launcher());
        // As a user types it: the shell finds "nabla" on PATH, so the script sees only the link's path.
        Run r = run(dir, Map.of("PATH", onPath + ":" + System.getenv("PATH")), List.of(bash(), "-c", "nabla example"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains(EXAMPLE_RESULT), r.all());
    }

    @Test
    void pathsWithSpacesQuotesAndWildcardsReachTheEngineIntact(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("my data")).resolve("it's a $HOME *.csv");
        StringBuilder csv = new StringBuilder("x1,x2,t\n");
        for (int i = 0; i < 64; i++) {
            csv.append(i / 64.0)
                    .append(',')
                    .append((63 - i) / 64.0)
                    .append(',')
                    .append(i % 2)
                    .append('\n');
        }
        Files.writeString(data, csv);
        Path saved = dir.resolve("trained model.json");
        Run r = run(
                dir,
                Map.of(),
                cmd(launcher(), "train", "--data", data.toString(), "--epochs", "2", "--save", saved.toString()));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("data:    " + data + ", 64 samples of 2 inputs and 1 target"), r.all());
        assertTrue(Files.readString(saved).startsWith("{\"loss\": \"mse\""), "the model was saved under its own name");

        Path missing = dir.resolve("no such folder/x  y.csv");
        Run bad = run(dir, Map.of(), cmd(launcher(), "train", "--data", missing.toString()));
        assertEquals(2, bad.code(), bad.all());
        assertEquals(List.of("engine: " + missing + ": no such file"), bad.errLines(), bad.all());
    }

    @Test
    void javaGetsTheModuleTheUsersOptionsTheJarAndEveryArgumentUnchanged(@TempDir Path dir) throws Exception {
        Path home = fakeJavaHome(
                dir.resolve("jdk 21"),
                "    java.specification.version = 21\n    java.version = 21.0.1",
                "openjdk version \"21.0.1\"");
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        Files.writeString(cwd.resolve("a file a glob would find"), ""); // so an unquoted * would expand
        Run r = run(
                cwd,
                Map.of("JAVA_HOME", home.toString(), "NABLA_JAVA_OPTS", " -Xmx1g \t-Dnabla.cuda.graphs=false\n-Da=* "),
                cmd(launcher(), "train", "--data", "a b  c.csv", "", "*", "$HOME", "--lr=0.5", "tab\there"));
        assertEquals(42, r.code(), "the launcher exits with Java's code: " + r.all());
        String jar = root().resolve("engine-cli/target/engine.jar").toString();
        assertEquals(
                List.of(
                        "[--add-modules]",
                        "[jdk.incubator.vector]",
                        "[-Xmx1g]",
                        "[-Dnabla.cuda.graphs=false]",
                        "[-Da=*]",
                        "[-jar]",
                        "[" + jar + "]",
                        "[train]",
                        "[--data]",
                        "[a b  c.csv]",
                        "[]",
                        "[*]",
                        "[$HOME]",
                        "[--lr=0.5]",
                        "[tab\there]"),
                r.out().lines().toList(),
                r.all());
    }

    @Test
    void nablaJavaOptsReachTheRealJvm(@TempDir Path dir) throws Exception {
        Run r = run(dir, Map.of("NABLA_JAVA_OPTS", "-Xmx96m -XshowSettings:vm"), cmd(launcher(), "--version"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.err().contains("Max. Heap Size: 96.00M"), r.all());
        assertEquals(
                "Nabla " + System.getProperty("nabla.version", "0.1.0-SNAPSHOT"),
                r.out().strip(),
                r.all());
    }

    @Test
    void aJava11HomeIsRefusedNamingTheVersionAndWhereItCameFrom(@TempDir Path dir) throws Exception {
        // A Java 11 answering only -version, as anything that does not know -XshowSettings would.
        Path home = dir.resolve("old jdk");
        executable(
                home.resolve("bin/java"),
                "#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n"
                        + "echo 'OpenJDK Runtime Environment 18.9 (build 11.0.2+9)' >&2\n");
        Run r = run(dir, Map.of("JAVA_HOME", home.toString()), cmd(launcher(), "example"));
        assertEquals(CANNOT_START, r.code(), r.all());
        assertEquals("", r.out(), r.all());
        assertEquals(
                List.of("nabla: found Java 11 (11.0.2) at " + home + "/bin/java (from JAVA_HOME=" + home
                        + "), but Nabla needs Java 17 or newer; set JAVA_HOME to a JDK 17+"),
                r.errLines(),
                r.all());
    }

    @Test
    void aJava8IsRefusedByItsOldStyleVersion(@TempDir Path dir) throws Exception {
        // As Java 8 answers: specification version 1.8, version 1.8.0_392.
        Path home = fakeJavaHome(
                dir.resolve("jdk8"),
                "    java.specification.version = 1.8\n    java.version = 1.8.0_392",
                "java version \"1.8.0_392\"");
        Run r = run(dir, Map.of("JAVA_HOME", home.toString()), cmd(launcher(), "example"));
        assertEquals(CANNOT_START, r.code(), r.all());
        assertEquals("", r.out(), "the old Java was never asked to run the jar: " + r.all());
        assertEquals(1, r.errLines().size(), r.all());
        assertTrue(r.err().startsWith("nabla: found Java 8 (1.8.0_392) at " + home + "/bin/java"), r.all());
    }

    @Test
    void anOldJavaOnPathIsNamedAsComingFromPath(@TempDir Path dir) throws Exception {
        Path bin = dir.resolve("old/bin");
        executable(bin.resolve("java"), "#!/bin/sh\necho 'java version \"1.8.0_392\"' >&2\n");
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", null);
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        Run r = run(dir, env, cmd(launcher(), "example"));
        assertEquals(CANNOT_START, r.code(), r.all());
        assertEquals(
                List.of("nabla: found Java 8 (1.8.0_392) at " + bin + "/java (from PATH), but Nabla needs Java 17 "
                        + "or newer; set JAVA_HOME to a JDK 17+"),
                r.errLines(),
                r.all());
    }

    @Test
    void aJavaThatPrintsNoVersionIsRefused(@TempDir Path dir) throws Exception {
        Path home = dir.resolve("odd");
        executable(home.resolve("bin/java"), "#!/bin/sh\necho 'not a java at all' >&2\n");
        Run r = run(dir, Map.of("JAVA_HOME", home.toString()), cmd(launcher(), "example"));
        assertEquals(CANNOT_START, r.code(), r.all());
        assertEquals(
                List.of("nabla: cannot tell which Java " + home + "/bin/java is (from JAVA_HOME=" + home
                        + "): it printed \"not a java at all\"; Nabla needs Java 17 or newer"),
                r.errLines(),
                r.all());
    }

    @Test
    void aJavaHomeWithoutJavaIsAClearErrorNotAFallBackToPath(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("not a jdk"));
        Run r = run(dir, Map.of("JAVA_HOME", home.toString()), cmd(launcher(), "example"));
        assertEquals(CANNOT_START, r.code(), r.all());
        assertEquals("", r.out(), r.all());
        assertEquals(
                List.of("nabla: JAVA_HOME is " + home + ", but " + home + "/bin/java is not an executable file; "
                        + "point JAVA_HOME at a JDK 17 or newer, or unset it to use the java on PATH"),
                r.errLines(),
                r.all());
    }

    @Test
    void noJavaAnywhereIsAClearError(@TempDir Path dir) throws Exception {
        Path emptyBin = Files.createDirectories(dir.resolve("empty bin"));
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", null);
        env.put("PATH", emptyBin.toString());
        Run r = run(dir, env, List.of(bash(), launcher().toString(), "example"));
        assertEquals(CANNOT_START, r.code(), r.all());
        assertEquals(
                List.of("nabla: no Java found: JAVA_HOME is not set and there is no java on PATH; install a JDK 17 "
                        + "or newer (or set JAVA_HOME to one)"),
                r.errLines(),
                r.all());
    }

    @Test
    void javaHomeWinsOverTheJavaOnPath(@TempDir Path dir) throws Exception {
        Path bin = dir.resolve("wrong/bin");
        executable(bin.resolve("java"), "#!/bin/sh\necho 'the java on PATH ran' >&2\nexit 99\n");
        Run r = run(dir, Map.of("PATH", bin + ":" + System.getenv("PATH")), cmd(launcher(), "--version"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().startsWith("Nabla "), r.all());
        assertTrue(!r.err().contains("the java on PATH ran"), r.all());
    }

    @Test
    void withoutAJarItSaysHowToBuildOne(@TempDir Path dir) throws Exception {
        Path copy = executable(dir.resolve("unbuilt/bin/nabla"), Files.readString(launcher()));
        Run r = run(dir, Map.of(), cmd(copy, "example"));
        assertEquals(CANNOT_START, r.code(), r.all());
        Path unbuilt = dir.resolve("unbuilt").toRealPath();
        assertEquals(
                List.of("nabla: no engine.jar in " + unbuilt + "/lib or " + unbuilt + "/engine-cli/target; build it "
                        + "first: ./mvnw -q -B package -DskipTests"),
                r.errLines(),
                r.all());
    }

    @Test
    void theEnginesExitCodeAndItsErrorLinePassThrough(@TempDir Path dir) throws Exception {
        Run bad = run(dir, Map.of(), cmd(launcher(), "train", "--batch", "0"));
        assertEquals(2, bad.code(), bad.all());
        assertEquals(List.of("engine: --batch must be at least 1, not 0"), bad.errLines(), bad.all());
    }

    /**
     * Ctrl-C reaches the engine itself: the launcher has replaced itself with Java. A launcher that
     * waited on a child Java instead would hold the signal until that child ended, and this run
     * does not end on its own.
     */
    @Test
    void ctrlCStopsTheEngineWhichExitsWith130(@TempDir Path dir) throws Exception {
        Path ckpt = dir.resolve("run.safetensors");
        List<String> command = new ArrayList<>(EngineProcess.sigintAtDefault());
        command.addAll(cmd(
                launcher(),
                "train",
                "--samples",
                "20000",
                "--epochs",
                "100000",
                "--batch",
                "64",
                "--save",
                ckpt.toString(),
                "--checkpoint-every",
                "50"));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("log.txt").toFile());
        pb.environment().put("JAVA_HOME", testJavaHome());
        pb.environment().remove("NABLA_JAVA_OPTS");
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean training = false;
            while (!training && System.nanoTime() < deadline && p.isAlive()) {
                try {
                    training = Files.exists(ckpt)
                            && Long.parseLong(Checkpoint.read(ckpt).get("nabla.steps_done")) >= 50;
                } catch (RuntimeException e) {
                    // being replaced right now; look again
                }
                Thread.sleep(20);
            }
            assertTrue(
                    training, "training wrote a checkpoint within 60 s: " + Files.readString(dir.resolve("log.txt")));
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the engine stopped after Ctrl-C");
            String log = Files.readString(dir.resolve("log.txt"));
            assertEquals(130, p.exitValue(), log);
            assertTrue(log.contains("interrupted after"), log);
        } finally {
            // A launcher that forked rather than exec'd would leave its Java behind.
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void theUnpackedDistributionRunsTheExample(@TempDir Path dir) throws Exception {
        String version = System.getProperty("nabla.version", "0.1.0-SNAPSHOT");
        Path archive = Path.of(System.getProperty("nabla.distribution", "target/nabla-" + version + ".tar.gz"));
        assertTrue(Files.isRegularFile(archive), archive + " exists (built by mvn package)");
        String base = "nabla-" + version;

        Run listing = run(
                dir, Map.of(), List.of("tar", "tvzf", archive.toAbsolutePath().toString()));
        assertEquals(0, listing.code(), listing.all());
        List<String> entries = listing.out().lines().toList();
        assertTrue(
                entries.stream().anyMatch(l -> l.startsWith("-rwxr-xr-x ") && l.endsWith(" " + base + "/bin/nabla")),
                "bin/nabla is stored with mode 755:\n" + listing.out());
        assertTrue(entries.stream().anyMatch(l -> l.endsWith(" " + base + "/lib/engine.jar")), listing.out());

        Path unpacked = Files.createDirectories(dir.resolve("opt"));
        Run untar = run(
                unpacked,
                Map.of(),
                List.of("tar", "xzf", archive.toAbsolutePath().toString()));
        assertEquals(0, untar.code(), untar.all());
        Path home = unpacked.resolve(base);
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(home.resolve("bin/nabla"));
        assertTrue(
                mode.containsAll(Set.of(
                        PosixFilePermission.OWNER_EXECUTE,
                        PosixFilePermission.GROUP_EXECUTE,
                        PosixFilePermission.OTHERS_EXECUTE)),
                "unpacked bin/nabla is executable: " + mode);
        Path builtJar = Path.of(System.getProperty("engine.jar", "target/engine.jar"));
        assertEquals(
                -1L,
                Files.mismatch(home.resolve("lib/engine.jar"), builtJar),
                "lib/engine.jar is the built engine.jar");
        assertEquals(
                Files.readString(launcher()), Files.readString(home.resolve("bin/nabla")), "bin/nabla is the launcher");

        // Run from elsewhere, where no source checkout is above: only lib/engine.jar can be found.
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Run r = run(elsewhere, Map.of(), cmd(home.resolve("bin/nabla"), "example"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains(EXAMPLE_RESULT), r.all());
    }
}

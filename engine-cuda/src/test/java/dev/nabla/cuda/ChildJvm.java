package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Tools and child JVMs for the tests that load JCuda's native libraries against stand-in system
 * libraries: a library that misbehaves can take its process down, so it is never this one.
 * Public, with {@link #java}, for the other modules' tests on the emulated device.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** Whether {@code tool --version} runs here. */
    static boolean has(String tool) {
        try {
            return new ProcessBuilder(tool, "--version")
                    .redirectErrorStream(true)
                    .start()
                    .waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Runs {@code cmd} in {@code dir} with extra environment variables; returns its output, asserting exit code 0. */
    static String run(List<String> cmd, Path dir, Map<String, String> env) throws Exception {
        return run(cmd, dir, env, 120);
    }

    private static String run(List<String> cmd, Path dir, Map<String, String> env, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), String.join(" ", cmd) + " finishes");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    /**
     * Runs {@code main} with {@code args} in a new JVM (with this JVM's options) on {@code classPath},
     * with only {@code libraryPath} as LD_LIBRARY_PATH; returns its output, asserting exit code 0.
     */
    public static String java(
            String classPath,
            String main,
            List<String> args,
            Path dir,
            String libraryPath,
            Map<String, String> env,
            int seconds)
            throws Exception {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(List.of("-cp", classPath, main));
        cmd.addAll(args);
        Map<String, String> vars = new HashMap<>(env);
        vars.put("LD_LIBRARY_PATH", libraryPath);
        return run(cmd, dir, vars, seconds);
    }

    /**
     * The class path of the given classes and resources (a native library, a kernel): where each
     * was loaded from, Maven's class path or the GPU check's jars.
     */
    static String classPathOf(List<Class<?>> classes, List<String> resources) throws Exception {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : classes) {
            entries.add(Path.of(c.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString());
        }
        for (String resource : resources) {
            URL url = ChildJvm.class.getResource(resource);
            if (url != null && url.getProtocol().equals("jar")) {
                String file = url.getPath();
                entries.add(
                        Path.of(new URI(file.substring(0, file.indexOf("!/")))).toString());
            } else if (url != null && url.getProtocol().equals("file")) { // a module's classes folder
                String file = url.toURI().getPath();
                entries.add(file.substring(0, file.length() - resource.length()));
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}

package dev.nabla.cli.bench;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * The peers on the JVM (DL4J, DJL, libtorch through JavaCPP): the Maven project {@code
 * benchmarks/peers/jvm}, built apart from Nabla since their libraries weigh hundreds of MB. Each
 * library's module, once built, holds {@code target/peer.jar}, whose manifest names its main class,
 * and {@code target/classpath.txt}, its libraries; each runs in a JVM of its own, speaking the
 * protocol of {@code peer.py}.
 */
final class JvmPeers {
    static final List<String> LIBRARIES = List.of("dl4j", "djl", "libtorch");

    static final String BUILD = "./mvnw -f benchmarks/peers/jvm package";

    private JvmPeers() {}

    /**
     * The peers' project: {@code dir} when given; else {@code benchmarks/peers/jvm} in the working
     * directory or in the source checkout the engine jar was built in; null where none is.
     */
    static Path locate(Path dir) {
        if (dir != null) {
            return dir;
        }
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of("benchmarks", "peers", "jvm"));
        try {
            Path code = Path.of(JvmPeers.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            // engine-cli/target/engine.jar or engine-cli/target/classes: the checkout is two folders up
            Path checkout = code.getParent() == null ? null : code.getParent().getParent();
            if (checkout != null && checkout.getParent() != null) {
                candidates.add(checkout.getParent().resolve("benchmarks/peers/jvm"));
            }
        } catch (URISyntaxException | RuntimeException ignored) {
            // no code location: the working directory alone
        }
        return candidates.stream().filter(Files::isDirectory).findFirst().orElse(null);
    }

    /** Starts one library's peer; an IllegalStateException says why it cannot run here. */
    static PeerProcess start(String library, Path project, PeerThreads threads) {
        if (project == null) {
            throw new IllegalStateException("not built: no benchmarks/peers/jvm here (build it: " + BUILD
                    + "; or give its folder with --jvm-peers)");
        }
        Path target = project.resolve(library).resolve("target");
        Path jar = target.resolve("peer.jar");
        Path classpath = target.resolve("classpath.txt");
        if (!Files.isRegularFile(jar) || !Files.isRegularFile(classpath)) {
            throw new IllegalStateException("not built: no " + jar + " (build it: " + BUILD + ")");
        }
        String main;
        String libraries;
        try (JarFile j = new JarFile(jar.toFile())) {
            main = j.getManifest() == null
                    ? null
                    : j.getManifest().getMainAttributes().getValue("Main-Class");
            libraries = Files.readString(classpath, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + jar + ": " + e.getMessage(), e);
        }
        if (main == null) {
            throw new IllegalStateException(jar + " names no Main-Class");
        }
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                jar + File.pathSeparator + libraries,
                main);
        return PeerProcess.launch(library, command, threads);
    }
}

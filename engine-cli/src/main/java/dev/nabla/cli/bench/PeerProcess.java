package dev.nabla.cli.bench;

import dev.nabla.InputException;
import dev.nabla.backend.Precision;
import dev.nabla.json.JsonNode;
import dev.nabla.json.JsonParser;
import dev.nabla.json.JsonWriter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A peer running in its own process, driven one JSON line at a time: the peers script ({@code
 * benchmarks/peers/peer.py}, packaged in the jar; NumPy, and PyTorch where it is installed), or a
 * JVM peer ({@link JvmPeers}) speaking the same protocol.
 */
final class PeerProcess implements AutoCloseable {
    /** python, dl4j, djl or libtorch. */
    final String name;

    private final Process process;
    private final PrintWriter in;
    private final BufferedReader out;
    private final Path log;
    /** The temporary copy of peer.py, for the Python peer. */
    private Path script;

    final List<String> engines = new ArrayList<>();
    /** {@code "numpy 2.4.6, python 3.11.7, ..."}. */
    String versions = "";

    private PeerProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts the script with {@code python} (default {@code python3}); a missing interpreter or NumPy is an InputException. */
    static PeerProcess start(String python, PeerThreads threads) {
        Path script;
        try (InputStream res = PeerProcess.class.getResourceAsStream("/peers/peer.py")) {
            if (res == null) {
                throw new IllegalStateException("peer.py is not in the jar");
            }
            script = Files.createTempFile("nabla-peer", ".py");
            Files.copy(res, script, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write peer.py: " + e.getMessage(), e);
        }
        try {
            PeerProcess peer = launch("python", List.of(python, "-u", script.toString()), threads);
            peer.script = script;
            return peer;
        } catch (RuntimeException e) {
            deleteQuietly(script);
            throw new InputException("the peers need " + python + " with NumPy (" + e.getMessage() + ")");
        }
    }

    /**
     * Starts {@code command} with the threads' environment and asks it for its engines and versions;
     * its stderr goes to a temporary file, whose last line says why, should it end. An
     * IllegalStateException says why it cannot run.
     */
    static PeerProcess launch(String name, List<String> command, PeerThreads threads) {
        Path log = null;
        PeerProcess peer = null;
        try {
            log = Files.createTempFile("nabla-peer-" + name, ".log");
            ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
            pb.environment().putAll(threads.environment());
            peer = new PeerProcess(name, pb.start(), log);
            Map<String, JsonNode> answer = peer.call("{\"cmd\": \"engines\"}");
            List<String> v = new ArrayList<>();
            answer.get("versions").asObject("versions").forEach((k, n) -> v.add(k + " " + n.asString(k)));
            peer.versions = String.join(", ", v);
            for (JsonNode e : answer.get("engines").asArray("engines")) {
                peer.engines.add(e.asString("engine"));
            }
            return peer;
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage();
            if (peer != null) {
                peer.close();
            } else {
                deleteQuietly(log);
            }
            throw new IllegalStateException(why, e);
        }
    }

    /** Sends one request and reads its answer; an answer with "error" becomes an exception. */
    Map<String, JsonNode> call(String json) {
        in.println(json);
        try {
            String line = out.readLine();
            // a native library may print to stdout behind the peer's back: only JSON lines answer
            while (line != null && !line.startsWith("{")) {
                line = out.readLine();
            }
            if (line == null) {
                String last = lastLine(log);
                throw new IllegalStateException("the peer process ended" + (last.isEmpty() ? "" : ": " + last));
            }
            Map<String, JsonNode> m = JsonParser.parse(line, "peer").asObject("answer");
            if (m.containsKey("error")) {
                throw new IllegalStateException(m.get("error").asString("error"));
            }
            return m;
        } catch (IOException e) {
            throw new IllegalStateException("the peer process: " + e.getMessage(), e);
        }
    }

    /** The peers' name of a precision: float64, float32 or tf32. */
    static String dtype(Precision p) {
        return p == Precision.FP64 ? "float64" : p == Precision.TF32 ? "tf32" : "float32";
    }

    void load(String engine, Path dir, String dtype, double lr) {
        call("{\"cmd\": \"load\", \"engine\": " + JsonWriter.string(engine) + ", \"dir\": "
                + JsonWriter.string(dir.toString()) + ", \"dtype\": " + JsonWriter.string(dtype) + ", \"lr\": " + lr
                + "}");
    }

    double[] losses(String engine, int steps) {
        List<JsonNode> l = call("{\"cmd\": \"losses\", \"engine\": " + JsonWriter.string(engine) + ", \"steps\": "
                        + steps + "}")
                .get("losses")
                .asArray("losses");
        return l.stream().mapToDouble(n -> n.asDouble("loss")).toArray();
    }

    double time(String engine, int steps) {
        return call("{\"cmd\": \"time\", \"engine\": " + JsonWriter.string(engine) + ", \"steps\": " + steps + "}")
                .get("seconds")
                .asDouble("seconds");
    }

    /** Seconds for the matrix products of {@code steps} steps alone (PyTorch engines only). */
    double products(String engine, int steps) {
        return call("{\"cmd\": \"products\", \"engine\": " + JsonWriter.string(engine) + ", \"steps\": " + steps + "}")
                .get("seconds")
                .asDouble("seconds");
    }

    /** Seconds for {@code count} products of two {@code n x n} matrices with the engine's library ({@link SquareProduct}). */
    double square(String engine, int n, Precision p, int count) {
        return call("{\"cmd\": \"square\", \"engine\": " + JsonWriter.string(engine) + ", \"n\": " + n + ", \"dtype\": "
                        + JsonWriter.string(dtype(p)) + ", \"count\": " + count + "}")
                .get("seconds")
                .asDouble("seconds");
    }

    /** The last non-blank line of the peer's stderr, where a JVM or an interpreter says why it stopped. */
    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) {
                    return lines.get(i).strip();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // nothing more to say
        }
        return "";
    }

    @Override
    public void close() {
        in.close();
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) { // before its stderr file goes
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteQuietly(script);
        deleteQuietly(log);
    }

    private static void deleteQuietly(Path f) {
        if (f == null) {
            return;
        }
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // a temporary file
        }
    }
}

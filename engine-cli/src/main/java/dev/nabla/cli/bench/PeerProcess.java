package dev.nabla.cli.bench;

import dev.nabla.InputException;
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

/**
 * The peers script ({@code benchmarks/peers/peer.py}, packaged in the jar) running in its own
 * Python process, driven one JSON line at a time: NumPy, and PyTorch where it is installed.
 */
final class PeerProcess implements AutoCloseable {
    private final Process process;
    private final PrintWriter in;
    private final BufferedReader out;
    private final Path script;
    final List<String> engines = new ArrayList<>();
    /** {@code "numpy 2.4.6, python 3.11.7, ..."}. */
    String versions = "";

    private PeerProcess(Process process, Path script) {
        this.process = process;
        this.script = script;
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts the script with {@code python} (default {@code python3}); a missing interpreter or NumPy is an InputException. */
    static PeerProcess start(String python) {
        Path script;
        try (InputStream res = PeerProcess.class.getResourceAsStream("/peers/peer.py")) {
            if (res == null) {
                throw new IllegalStateException("peer.py is not in the jar");
            }
            script = Files.createTempFile("nabla-peer", ".py");
            Files.copy(res, script, StandardCopyOption.REPLACE_EXISTING);
            Process p = new ProcessBuilder(python, "-u", script.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            PeerProcess peer = new PeerProcess(p, script);
            Map<String, JsonNode> answer = peer.call("{\"cmd\": \"engines\"}");
            List<String> v = new ArrayList<>();
            answer.get("versions").asObject("versions").forEach((k, n) -> v.add(k + " " + n.asString(k)));
            peer.versions = String.join(", ", v);
            for (JsonNode e : answer.get("engines").asArray("engines")) {
                peer.engines.add(e.asString("engine"));
            }
            return peer;
        } catch (IOException | RuntimeException e) {
            throw new InputException("the peers need " + python + " with NumPy (" + e.getMessage() + ")");
        }
    }

    /** Sends one request and reads its answer; an answer with "error" becomes an exception. */
    Map<String, JsonNode> call(String json) {
        in.println(json);
        try {
            String line = out.readLine();
            if (line == null) {
                throw new IllegalStateException("the peer process ended");
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

    @Override
    public void close() {
        in.close();
        process.destroy();
        try {
            Files.deleteIfExists(script);
        } catch (IOException ignored) {
            // a temporary file
        }
    }
}

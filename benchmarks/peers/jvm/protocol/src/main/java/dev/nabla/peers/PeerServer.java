package dev.nabla.peers;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The protocol of {@code benchmarks/peers/peer.py}, for a peer on the JVM: one JSON request a line
 * on stdin, one JSON answer a line on stdout.
 *
 * <pre>
 *   {"cmd": "engines"}                         -> {"engines": [...], "versions": {...}}
 *   {"cmd": "load", "engine": E, "dir": D, "dtype": "float64"|"float32", "lr": X} -> {"ok": true}
 *   {"cmd": "losses", "engine": E, "steps": N} -> {"losses": [...]}   N steps from the loaded weights
 *   {"cmd": "time", "engine": E, "steps": N}   -> {"seconds": S}
 * </pre>
 *
 * A failed request answers {@code {"error": "..."}} and the peer goes on. The libraries' own
 * printing goes to stderr: stdout carries the protocol alone.
 */
public final class PeerServer {
    /** The threads every peer computes with: what {@code engine bench} gives Nabla, passed down. */
    public static int threads() {
        String t = System.getenv("NABLA_PEER_THREADS");
        return t == null ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(t);
    }

    private PeerServer() {}

    /**
     * Serves {@code variants} (engine name to its step) until stdin closes. {@code describe} gives the
     * versions and build facts, called once the first request is in, so that a library that cannot
     * load answers with an error rather than dying silently.
     */
    public static void serve(Map<String, StepFactory> variants, Describer describe) throws Exception {
        PrintStream protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Map<String, Step> loaded = new LinkedHashMap<>();
        String line;
        while ((line = in.readLine()) != null) {
            Object answer;
            try {
                answer = answer(Json.parseFlat(line), variants, describe, loaded);
            } catch (Throwable e) { // report, do not die: the bench prints it beside the other results
                e.printStackTrace(); // to stderr, which the bench keeps for when the peer fails to start
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                answer = Map.of("error", root.getClass().getSimpleName() + ": " + root.getMessage());
            }
            protocol.println(Json.write(answer));
        }
        for (Step s : loaded.values()) {
            s.close();
        }
        // stdin closed: the bench is done. Exit now, though a library has left non-daemon threads behind.
        System.exit(0);
    }

    /** The versions and native build facts a peer reports. */
    @FunctionalInterface
    public interface Describer {
        Map<String, String> versions() throws Exception;
    }

    private static Object answer(
            Map<String, Object> req, Map<String, StepFactory> variants, Describer describe, Map<String, Step> loaded)
            throws Exception {
        String cmd = (String) req.get("cmd");
        if ("engines".equals(cmd)) {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("engines", new ArrayList<>(variants.keySet()));
            a.put("versions", describe.versions());
            return a;
        }
        String engine = (String) req.get("engine");
        if ("load".equals(cmd)) {
            StepFactory f = variants.get(engine);
            if (f == null) {
                throw new IllegalArgumentException("unknown engine " + engine);
            }
            String dtype = (String) req.get("dtype");
            if (!dtype.equals("float64") && !dtype.equals("float32")) {
                throw new IllegalArgumentException(dtype + " is not measured on this peer");
            }
            Step old = loaded.remove(engine);
            if (old != null) {
                old.close();
            }
            Inputs inputs = Inputs.read(Path.of((String) req.get("dir")));
            loaded.put(engine, f.create(inputs, dtype.equals("float64"), (Double) req.get("lr")));
            return Map.of("ok", true);
        }
        Step s = loaded.get(engine);
        if (s == null) {
            throw new IllegalStateException(engine + " is not loaded");
        }
        int steps = ((Double) req.get("steps")).intValue();
        return switch (cmd) {
            case "losses" -> {
                s.reset();
                List<Double> l = new ArrayList<>();
                for (int i = 0; i < steps; i++) {
                    l.add(s.step());
                }
                s.reset();
                yield Map.of("losses", l);
            }
            case "time" -> {
                long t0 = System.nanoTime();
                s.run(steps);
                yield Map.of("seconds", (System.nanoTime() - t0) / 1e9);
            }
            default -> throw new IllegalArgumentException("unknown command " + cmd);
        };
    }
}

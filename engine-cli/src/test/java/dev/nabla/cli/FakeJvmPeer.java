package dev.nabla.cli;

import dev.nabla.data.NpyArray;
import dev.nabla.json.JsonNode;
import dev.nabla.json.JsonParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A JVM peer for {@code BenchCommandTest}, started by {@code engine bench} as a built peer would be:
 * it speaks the peers' protocol with two engines of Nabla's step in plain Java, {@code fake-right},
 * and {@code fake-wrong}, whose learning rate is twice the one asked for (as a library whose MSE has
 * no 1/2 would get, left uncorrected), so that its first loss agrees and its second does not.
 */
public final class FakeJvmPeer {
    private FakeJvmPeer() {}

    /** One engine's state: the batch, the initial weights and the current ones (outputs x inputs). */
    private static final class Net {
        double[] x;
        double[] t;
        int batch;
        List<double[]> initial = new ArrayList<>();
        List<double[]> w = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        double lr;

        double step() {
            int depth = w.size();
            List<double[]> acts = new ArrayList<>(List.of(x));
            for (int l = 0; l < depth; l++) {
                int out = shapes.get(l)[0];
                int in = shapes.get(l)[1];
                double[] a = acts.get(l);
                double[] z = new double[batch * out];
                for (int s = 0; s < batch; s++) {
                    for (int o = 0; o < out; o++) {
                        double sum = 0;
                        for (int i = 0; i < in; i++) {
                            sum += a[s * in + i] * w.get(l)[o * in + i];
                        }
                        z[s * out + o] = 1 / (1 + Math.exp(-sum));
                    }
                }
                acts.add(z);
            }
            double[] o = acts.get(depth);
            double loss = 0;
            double[] g = new double[o.length];
            for (int i = 0; i < o.length; i++) {
                double d = o[i] - t[i];
                loss += 0.5 * d * d;
                g[i] = d / batch;
            }
            List<double[]> grads = new ArrayList<>(w);
            for (int l = depth - 1; l >= 0; l--) {
                int out = shapes.get(l)[0];
                int in = shapes.get(l)[1];
                double[] a = acts.get(l + 1);
                double[] below = acts.get(l);
                double[] delta = new double[g.length];
                for (int i = 0; i < g.length; i++) {
                    delta[i] = g[i] * a[i] * (1 - a[i]);
                }
                double[] dw = new double[out * in];
                double[] down = new double[batch * in];
                for (int s = 0; s < batch; s++) {
                    for (int j = 0; j < out; j++) {
                        double d = delta[s * out + j];
                        for (int i = 0; i < in; i++) {
                            dw[j * in + i] += d * below[s * in + i];
                            down[s * in + i] += d * w.get(l)[j * in + i];
                        }
                    }
                }
                grads.set(l, dw);
                g = down;
            }
            for (int l = 0; l < depth; l++) {
                double[] wl = w.get(l);
                for (int i = 0; i < wl.length; i++) {
                    wl[i] -= lr * grads.get(l)[i];
                }
            }
            return loss / batch;
        }

        void reset() {
            w.clear();
            for (double[] a : initial) {
                w.add(a.clone());
            }
        }
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Map<String, Net> loaded = new java.util.HashMap<>();
        String line;
        while ((line = in.readLine()) != null) {
            Map<String, JsonNode> req = JsonParser.parse(line, "request").asObject("request");
            String cmd = req.get("cmd").asString("cmd");
            String answer;
            try {
                answer = switch (cmd) {
                    case "engines" ->
                        "{\"engines\": [\"fake-right\", \"fake-wrong\"], \"versions\": {\"fake\": \"1\"}}";
                    case "load" -> {
                        if (!req.get("dtype").asString("dtype").equals("float64")) {
                            throw new IllegalArgumentException("float64 only");
                        }
                        String engine = req.get("engine").asString("engine");
                        loaded.put(engine, load(Path.of(req.get("dir").asString("dir")), engine, req));
                        yield "{\"ok\": true}";
                    }
                    case "losses" -> {
                        Net n = loaded.get(req.get("engine").asString("engine"));
                        n.reset();
                        List<String> l = new ArrayList<>();
                        for (int i = 0; i < req.get("steps").asInt("steps", 1); i++) {
                            l.add(String.format(Locale.ROOT, "%.17g", n.step()));
                        }
                        n.reset();
                        yield "{\"losses\": [" + String.join(", ", l) + "]}";
                    }
                    case "time" -> {
                        Net n = loaded.get(req.get("engine").asString("engine"));
                        long t0 = System.nanoTime();
                        for (int i = 0; i < req.get("steps").asInt("steps", 1); i++) {
                            n.step();
                        }
                        yield "{\"seconds\": " + (System.nanoTime() - t0) / 1e9 + "}";
                    }
                    default -> throw new IllegalArgumentException("unknown command " + cmd);
                };
            } catch (RuntimeException e) {
                answer = "{\"error\": \"" + e.getMessage() + "\"}";
            }
            System.out.println(answer);
            System.out.flush();
        }
    }

    private static Net load(Path dir, String engine, Map<String, JsonNode> req) {
        Net n = new Net();
        NpyArray x = NpyArray.open(dir.resolve("x.npy"));
        NpyArray t = NpyArray.open(dir.resolve("t.npy"));
        n.batch = x.rows();
        n.x = new double[x.rows() * x.cols()];
        x.copyRows(0, x.rows(), n.x, 0);
        n.t = new double[t.rows() * t.cols()];
        t.copyRows(0, t.rows(), n.t, 0);
        for (int l = 0; Files.exists(dir.resolve("w" + l + ".npy")); l++) {
            NpyArray w = NpyArray.open(dir.resolve("w" + l + ".npy"));
            double[] v = new double[w.rows() * w.cols()];
            w.copyRows(0, w.rows(), v, 0);
            n.initial.add(v);
            n.shapes.add(new int[] {w.rows(), w.cols()});
        }
        n.lr = req.get("lr").asDouble("lr") * (engine.equals("fake-wrong") ? 2 : 1);
        n.reset();
        return n;
    }
}

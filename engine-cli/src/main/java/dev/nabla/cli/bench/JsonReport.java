package dev.nabla.cli.bench;

import dev.nabla.backend.ProbeReport;
import dev.nabla.json.JsonWriter;
import java.util.List;
import java.util.Map;

/** The JSON of {@code engine bench --json}: the machine, every backend's probe record, the results. */
final class JsonReport {
    private JsonReport() {}

    static String json(
            Machine m,
            List<ProbeReport> probes,
            List<Result> results,
            List<PeerResult> peers,
            List<SquareResult> squares) {
        StringBuilder sb = new StringBuilder("{\n  \"machine\": {");
        field(sb, "cpu", m.cpu(), true).append(", ");
        field(sb, "threads", m.threads(), true).append(", ");
        field(sb, "java", m.java(), true).append(", ");
        field(sb, "os", m.os(), true).append(", ");
        field(sb, "gpu", m.gpu(), true).append("},\n  \"backends\": [");
        for (int i = 0; i < probes.size(); i++) {
            ProbeReport r = probes.get(i);
            sb.append(i == 0 ? "\n    {" : ",\n    {");
            field(sb, "backend", r.backend(), true)
                    .append(", \"usable\": ")
                    .append(r.usable())
                    .append(", ");
            field(sb, "reason", r.reason(), true).append(", \"facts\": {");
            boolean first = true;
            for (Map.Entry<String, String> f : r.facts().entrySet()) {
                sb.append(first ? "" : ", ");
                field(sb, f.getKey(), f.getValue(), true);
                first = false;
            }
            sb.append("}}");
        }
        sb.append("\n  ],\n  \"results\": [");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            sb.append(i == 0 ? "\n    {" : ",\n    {");
            field(sb, "workload", r.workload().name(), true).append(", ");
            field(sb, "network", r.workload().shape(), true)
                    .append(", \"batch\": ")
                    .append(r.workload().batch())
                    .append(", ");
            field(sb, "backend", r.backend(), true).append(", ");
            field(sb, "precision", r.precision().id(), true).append(", ");
            number(sb, "samples_per_second", r.samples().median()).append(", ");
            number(sb, "gflops", r.gflops()).append(", ");
            number(sb, "spread", r.samples().spread())
                    .append(", \"repeats\": ")
                    .append(r.samples().count())
                    .append(", \"steps_per_repeat\": ")
                    .append(r.stepsPerRepeat())
                    .append(", \"micro_batch\": ")
                    .append(r.microBatch())
                    .append(", ");
            number(sb, "products_alone_gflops", r.productsGflops()).append(", ");
            number(sb, "step_over_products", r.stepOverProducts()).append(", ");
            double best = SquareResult.best(squares, r.backend(), r.precision());
            number(sb, "best_square_gflops", best).append(", ");
            number(sb, "step_over_best_square", r.gflops() / best).append(", ");
            field(sb, "device", r.device(), true).append('}');
        }
        sb.append("\n  ],\n  \"peers\": [");
        for (int i = 0; i < peers.size(); i++) {
            PeerResult p = peers.get(i);
            sb.append(i == 0 ? "\n    {" : ",\n    {");
            field(sb, "workload", p.ours().workload().name(), true).append(", ");
            field(sb, "precision", p.ours().precision().id(), true).append(", ");
            field(sb, "engine", p.engine(), true).append(", ");
            if (p.samples() != null) {
                number(sb, "samples_per_second", p.samples().median()).append(", ");
                number(sb, "spread", p.samples().spread()).append(", ");
                number(sb, "nabla_over_peer", p.ratio()).append(", ");
                number(sb, "ratio_spread", p.ratioSpread()).append(", ");
            }
            number(sb, "products_alone_gflops", p.productsGflops()).append(", ");
            field(sb, "note", p.note(), true).append('}');
        }
        sb.append("\n  ],\n  \"square_products\": [");
        for (int i = 0; i < squares.size(); i++) {
            SquareResult s = squares.get(i);
            sb.append(i == 0 ? "\n    {" : ",\n    {");
            field(sb, "backend", s.backend(), true).append(", ");
            field(sb, "precision", s.precision().id(), true)
                    .append(", \"n\": ")
                    .append(s.n())
                    .append(", ");
            field(sb, "by", s.by(), true).append(", ");
            if (s.gflops() != null) {
                number(sb, "gflops", s.gflops().median()).append(", ");
                number(sb, "spread", s.gflops().spread())
                        .append(", \"repeats\": ")
                        .append(s.gflops().count())
                        .append(", ");
            }
            field(sb, "note", s.note(), true).append('}');
        }
        return sb.append("\n  ]\n}\n").toString();
    }

    private static StringBuilder field(StringBuilder sb, String key, String value, boolean quoted) {
        sb.append(JsonWriter.string(key)).append(": ");
        return value == null ? sb.append("null") : sb.append(quoted ? JsonWriter.string(value) : value);
    }

    private static StringBuilder number(StringBuilder sb, String key, double v) {
        return sb.append(JsonWriter.string(key))
                .append(": ")
                .append(Double.isFinite(v) ? JsonWriter.number(v) : "null");
    }
}

package dev.nabla.cli;

import dev.nabla.backend.BackendUnavailableException;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.backend.ProbeReport;
import dev.nabla.backend.Selection;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code engine devices}: every backend found, what it found, and which one {@code auto} picks. */
@Command(
        name = "devices",
        mixinStandardHelpOptions = true,
        description = "Lists every backend found, what each found on this machine, which one auto picks, "
                + "and why each other one was skipped.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (ProbeReport r : Backends.probeAll()) {
            out.println(r.backend() + ": " + (r.usable() ? "usable" : "not usable: " + r.reason()));
            for (Map.Entry<String, String> f : r.facts().entrySet()) {
                String[] lines = f.getValue().split("\n");
                out.println("    " + f.getKey() + ": " + lines[0]);
                for (int i = 1; i < lines.length; i++) {
                    out.println("        " + lines[i]);
                }
            }
        }
        try (Selection s = Backends.select(Backends.AUTO, Precision.FP64)) {
            out.println("auto picks: " + s.summary());
        } catch (BackendUnavailableException e) {
            out.println("auto picks nothing: " + e.getMessage());
        }
        return 0;
    }
}

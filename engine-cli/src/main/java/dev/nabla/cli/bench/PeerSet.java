package dev.nabla.cli.bench;

import dev.nabla.InputException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The peer processes of one {@code engine bench --peers} run: the Python script for {@code python}
 * and each JVM library asked for. A JVM peer that is not built or cannot load is skipped with its
 * reason, as is Python under {@code all}; only a Python asked for by name must start.
 */
final class PeerSet implements AutoCloseable {
    /** What {@code --peers} accepts; {@code all} is every one of the others. */
    static final List<String> NAMES = List.of("python", "dl4j", "djl", "libtorch", "all");

    final List<PeerProcess> processes = new ArrayList<>();

    private PeerSet() {}

    /** The peers named in {@code --peers}, as a set of the libraries; bad names are an InputException. */
    static Set<String> parse(List<String> asked) {
        Set<String> chosen = new LinkedHashSet<>();
        for (String a : asked) {
            String name = a.strip();
            if (!NAMES.contains(name)) {
                throw new InputException(
                        "--peers: unknown peer '" + name + "' (known: " + String.join(", ", NAMES) + ")");
            }
            if (name.equals("all")) {
                chosen.addAll(NAMES.subList(0, NAMES.size() - 1));
            } else {
                chosen.add(name);
            }
        }
        return chosen;
    }

    /**
     * Starts the peers in {@code asked} (from {@link #parse}), keeping of their engines those in
     * {@code only} (all when null), and prints each one's engines and versions, or why it is skipped.
     */
    static PeerSet start(
            Set<String> asked,
            boolean pythonRequired,
            String python,
            Path jvmPeers,
            PeerThreads threads,
            List<String> only,
            PrintWriter out) {
        PeerSet set = new PeerSet();
        try {
            out.println(threads.oneLine());
            Path project = JvmPeers.locate(jvmPeers);
            for (String name : asked) {
                try {
                    set.processes.add(
                            name.equals("python")
                                    ? PeerProcess.start(python, threads)
                                    : JvmPeers.start(name, project, threads));
                } catch (RuntimeException e) {
                    if (pythonRequired && name.equals("python")) {
                        throw e; // asked for by name, as before there were JVM peers: its failure is the bench's
                    }
                    out.println("skipped peer " + name + ": " + e.getMessage());
                }
            }
            if (only != null) {
                List<String> missing = new ArrayList<>(only);
                for (PeerProcess p : set.processes) {
                    missing.removeAll(p.engines);
                    p.engines.retainAll(only);
                }
                if (!missing.isEmpty()) {
                    out.println("peers not available here: " + String.join(", ", missing));
                }
            }
            for (PeerProcess p : set.processes) {
                if (!p.engines.isEmpty()) {
                    out.println("peers:   " + String.join(", ", p.engines) + " (" + p.versions + ")");
                }
            }
            out.flush();
            return set;
        } catch (RuntimeException e) {
            set.close();
            throw e;
        }
    }

    @Override
    public void close() {
        for (PeerProcess p : processes) {
            p.close();
        }
    }
}

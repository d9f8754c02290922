package dev.nabla.cli.bench;

import dev.nabla.backend.Precision;
import dev.nabla.benchmark.Workload;
import dev.nabla.data.Dataset;
import dev.nabla.data.NpyArray;
import dev.nabla.model.Network;
import dev.nabla.numerics.Tolerance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Before a peer is timed, it must compute what Nabla computes: it is given the workload's batch
 * and initial weights (as {@code .npy} files), and its losses after 1, 2 and 3 steps must agree
 * with Nabla's within the precision's tolerance. A peer that disagrees, or fails, is reported as
 * not timed, with both losses or the reason.
 */
final class PeerCheck {
    /** Steps whose losses are compared. */
    private static final int STEPS = 3;

    private PeerCheck() {}

    /** A peer engine loaded with the workload's data and weights, checked against Nabla, warmed up. */
    static PeerTimer prepare(
            PeerProcess peer,
            String engine,
            Workload w,
            Precision p,
            String backend,
            Reference nabla,
            MeasuringProtocol protocol) {
        PeerTimer t = new PeerTimer(peer, engine, n -> peer.time(engine, n));
        try {
            peer.load(engine, nabla.inputs(w), PeerProcess.dtype(p), BenchCommand.LR);
            double[] theirs = peer.losses(engine, STEPS);
            double[] mine = nabla.get(w, backend, p);
            for (int i = 0; i < STEPS; i++) {
                if (!Tolerance.peer(p).accepts(mine[i], theirs[i])) {
                    t.note = String.format(
                            Locale.ROOT,
                            "not timed: its loss after %d steps is %.10g, Nabla's %.10g",
                            i + 1,
                            theirs[i],
                            mine[i]);
                    return t;
                }
            }
            t.steps = protocol.stepsPerRepeat(protocol.warmUp(t::seconds));
            t.note = "losses agree with Nabla's";
            return t;
        } catch (RuntimeException e) {
            t.note = "not timed: " + e.getMessage();
            return t;
        }
    }

    /**
     * What every peer of one measurement (one network, one batch) is given and must reproduce: the
     * batch and the initial weights as {@code .npy} files, written once for all the peers and
     * deleted on closing, and Nabla's losses of the first steps, computed for the first peer and
     * kept for the others, since a {@code wide} step in fp64 takes seconds.
     */
    static final class Reference implements AutoCloseable {
        private Path inputs;
        private double[] losses;

        /** The folder of the peers' input files ({@link #writeInputs}). */
        Path inputs(Workload w) {
            if (inputs == null) {
                inputs = writeInputs(w);
            }
            return inputs;
        }

        double[] get(Workload w, String backend, Precision p) {
            if (losses == null) {
                try (OursRun run = new OursRun(w, backend, p, BenchCommand.LR, BenchCommand.SEED)) {
                    double[] l = new double[STEPS];
                    for (int i = 0; i < STEPS; i++) {
                        l[i] = run.step();
                    }
                    losses = l;
                }
            }
            return losses;
        }

        @Override
        public void close() {
            deleteTree(inputs);
        }
    }

    /** x.npy, t.npy and w0.npy .. for the peers: the batch and the initial weights Nabla uses. */
    private static Path writeInputs(Workload w) {
        try {
            Path dir = Files.createTempDirectory("nabla-bench");
            Dataset data = OursRun.data(w, BenchCommand.SEED);
            NpyArray.write(dir.resolve("x.npy"), data.inputs(), data.count(), data.inputWidth());
            NpyArray.write(dir.resolve("t.npy"), data.targets(), data.count(), data.targetWidth());
            Network net = w.network(BenchCommand.SEED);
            for (int l = 0; l < net.depth(); l++) {
                NpyArray.write(
                        dir.resolve("w" + l + ".npy"),
                        net.layer(l).weights(),
                        net.layer(l).outputs(),
                        net.layer(l).inputs());
            }
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the peers' inputs: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}

package dev.nabla.cli.bench;

import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.benchmark.Workload;
import dev.nabla.data.Dataset;
import dev.nabla.model.Network;
import dev.nabla.train.MemoryPlan;
import dev.nabla.train.ResidentBatch;
import dev.nabla.train.Trainer;
import java.util.SplittableRandom;

/**
 * Nabla's training step of one workload on one backend and precision, ready to be timed: the
 * network and one batch of data are fixed by a seed. The batch is kept on the backend, as the peers
 * keep theirs (where it does not fit in one micro-batch, every step uploads it); timed steps are
 * queued one after another, and the time ends when the last one's loss is back, as the peers' ends
 * with a synchronize.
 */
final class OursRun implements AutoCloseable {
    final Workload workload;
    final Precision precision;
    final Selection selection;
    final Trainer trainer;
    final Dataset data;
    private final double lr;
    /** The batch on the backend, or null where it is larger than one micro-batch. */
    private final ResidentBatch resident;

    OursRun(Workload w, String backend, Precision p, double lr, long seed) {
        this.workload = w;
        this.precision = p;
        this.lr = lr;
        this.data = data(w, seed);
        this.selection = Backends.select(backend, p);
        Network net = w.network(seed);
        Trainer t;
        try {
            t = new Trainer(selection.backend(), net, MemoryPlan.capacityFor(selection.backend(), net, w.batch()));
        } catch (RuntimeException | Error e) {
            selection.close();
            throw e;
        }
        this.trainer = t;
        ResidentBatch kept = null;
        if (w.batch() <= t.capacity()) {
            try {
                kept = t.keep(data, 0, w.batch());
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }
        this.resident = kept;
    }

    /** The workload's batch: inputs and targets uniform in [0, 1) from the seed. */
    static Dataset data(Workload w, long seed) {
        int[] widths = w.widths();
        SplittableRandom rng = new SplittableRandom(seed + 1);
        double[] x = new double[Math.multiplyExact(w.batch(), widths[0])];
        double[] t = new double[Math.multiplyExact(w.batch(), widths[widths.length - 1])];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble();
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = rng.nextDouble();
        }
        return new Dataset(w.name(), w.batch(), widths[0], widths[widths.length - 1], x, t);
    }

    /** One step; returns its loss. */
    double step() {
        return resident != null ? trainer.step(resident, lr) : trainer.step(data, null, 0, data.count(), lr);
    }

    /** Seconds for {@code n} steps, until the last one's loss is back. */
    double time(int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (resident != null) {
                trainer.queueStep(resident, lr);
            } else {
                step();
            }
        }
        trainer.lastLoss();
        return (System.nanoTime() - t0) / 1e9;
    }

    int microBatch() {
        return trainer.capacity();
    }

    @Override
    public void close() {
        trainer.close();
        selection.close();
    }
}

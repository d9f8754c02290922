package dev.nabla.spark;

import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.data.SampleSource;
import dev.nabla.data.Samples;
import dev.nabla.train.MemoryPlan;
import dev.nabla.train.ShuffledOrders;
import dev.nabla.train.Trainer;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * What an executor JVM keeps between steps: the samples it opened (one per {@link SampleSource}) and
 * a pool of workers, each a backend with a trainer for one network shape. A task borrows a worker
 * for its step and gives it back, so a JVM holds as many trainers as it runs tasks at once, and a
 * step only uploads the broadcast weights into one. Kept for the JVM's life.
 */
final class ExecutorCache {
    /** A backend and a trainer for one shape, used by one task at a time. */
    static final class Worker {
        final Selection selection;
        final Trainer trainer;
        final double[] gradients;
        private ShuffledOrders orders;
        private long ordersSeed;
        private int ordersSamples;

        private Worker(Selection selection, Trainer trainer) {
            this.selection = selection;
            this.trainer = trainer;
            this.gradients = new double[trainer.parameterCount()];
        }

        /** The order of epoch {@code epoch} of {@code samples} samples shuffled from {@code seed}. */
        int[] order(int samples, long seed, int epoch) {
            if (orders == null || ordersSeed != seed || ordersSamples != samples) {
                orders = new ShuffledOrders(samples, seed);
                ordersSeed = seed;
                ordersSamples = samples;
            }
            return orders.epoch(epoch);
        }
    }

    /** Workers are shared by tasks of one network shape, backend and precision, with micro-batches of one size. */
    record Key(NetworkShape shape, String backend, Precision precision, int capacity) implements Serializable {
        /**
         * This key for the parts of batches of {@code batch} samples cut {@code parts} ways: the
         * largest part fits at once, or micro-batches of {@code microBatch} (0: no limit) where fewer.
         */
        Key forParts(int batch, int parts, int microBatch) {
            int largest = Math.max(1, (batch + parts - 1) / parts);
            return new Key(shape, backend, precision, microBatch > 0 ? Math.min(microBatch, largest) : largest);
        }
    }

    private static final Map<SampleSource, Samples> SAMPLES = new ConcurrentHashMap<>();
    private static final Map<Key, ConcurrentLinkedDeque<Worker>> WORKERS = new ConcurrentHashMap<>();

    private ExecutorCache() {}

    static Samples samples(SampleSource data) {
        return SAMPLES.computeIfAbsent(data, SampleSource::open);
    }

    /**
     * A worker for {@code key}, made (with {@code parameters} as its first weights) when none is
     * free; its trainer's micro-batches are at most {@code key.capacity()} samples, fewer where
     * the backend's memory holds fewer.
     */
    static Worker borrow(Key key, double[] parameters) {
        Worker w =
                WORKERS.computeIfAbsent(key, k -> new ConcurrentLinkedDeque<>()).pollFirst();
        if (w != null) {
            return w;
        }
        Selection s = Backends.select(key.backend(), key.precision());
        try {
            var network = key.shape().with(parameters);
            int capacity = MemoryPlan.capacityFor(s.backend(), network, key.capacity());
            return new Worker(s, new Trainer(s.backend(), network, capacity));
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    static void giveBack(Key key, Worker w) {
        WORKERS.get(key).addFirst(w);
    }
}

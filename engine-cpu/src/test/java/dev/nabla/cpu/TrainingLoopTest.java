package dev.nabla.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.data.Dataset;
import dev.nabla.data.HeldOutSplit;
import dev.nabla.data.Samples;
import dev.nabla.data.SyntheticData;
import dev.nabla.model.Network;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingLoop;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The epoch loop on the CPU: batching, shuffling by seed, thread-count independence. */
class TrainingLoopTest {
    private static final Network NET = Network.builder(SyntheticData.INPUTS)
            .dense(8, Activation.TANH, true)
            .dense(SyntheticData.TARGETS, Activation.SIGMOID, true)
            .build(3);

    private static Network train(Dataset data, int threads, boolean shuffle, long seed, List<Double> losses) {
        return train(NET, 64, data, threads, shuffle, seed, losses);
    }

    private static Network train(
            Network net, int batch, Dataset data, int threads, boolean shuffle, long seed, List<Double> losses) {
        String old = System.getProperty("nabla.cpu.threads");
        System.setProperty("nabla.cpu.threads", Integer.toString(threads));
        try (Backend be = Backends.select("cpu", Precision.FP64).backend();
                Trainer tr = new Trainer(be, net, batch)) {
            TrainingLoop.run(
                    tr,
                    data,
                    new TrainingLoop.Options(3, batch, 0.5, shuffle, seed),
                    TrainingLoop.Listener.onEpoch(e -> losses.add(e.loss())));
            return tr.network();
        } finally {
            if (old == null) {
                System.clearProperty("nabla.cpu.threads");
            } else {
                System.setProperty("nabla.cpu.threads", old);
            }
        }
    }

    @Test
    void shufflingBySeedIsReproducibleBitForBit() {
        Dataset data = SyntheticData.generate(1000, 1);
        List<Double> a = new ArrayList<>();
        List<Double> b = new ArrayList<>();
        List<Double> plain = new ArrayList<>();
        Network first = train(data, 2, true, 9, a);
        assertEquals(first, train(data, 2, true, 9, b));
        assertEquals(a, b);
        assertFalse(first.equals(train(data, 2, false, 9, plain)), "shuffling changes the order, so the result");
    }

    @Test
    void resultsDoNotDependOnTheNumberOfThreads() {
        // Large enough that the backend splits its loops: products of 1024 x 64 x 16 multiply-adds, and
        // elementwise passes over 1024 x 64 values, are above its thresholds for using both threads.
        Network wide = Network.builder(SyntheticData.INPUTS)
                .dense(64, Activation.SIGMOID, true)
                .dense(SyntheticData.TARGETS, Activation.SIGMOID, true)
                .build(3);
        Dataset data = SyntheticData.generate(4096, 2);
        List<Double> one = new ArrayList<>();
        List<Double> two = new ArrayList<>();
        Network n1 = train(wide, 1024, data, 1, false, 1, one);
        Network n2 = train(wide, 1024, data, 2, false, 1, two);
        assertEquals(n1, n2);
        assertEquals(one, two);
    }

    @Test
    void theLastBatchOfAnEpochIsShorterAndEveryStepIsCounted() {
        Dataset data = SyntheticData.generate(130, 4);
        try (Backend be = Backends.select("cpu", Precision.FP64).backend();
                Trainer tr = new Trainer(be, NET, 64)) {
            List<Long> steps = new ArrayList<>();
            TrainingLoop.Result r = TrainingLoop.run(
                    tr,
                    data,
                    new TrainingLoop.Options(2, 64, 0.5, false, 1),
                    TrainingLoop.Listener.onEpoch(e -> steps.add(e.steps())));
            assertEquals(List.of(3L, 3L), steps, "64 + 64 + 2 samples per epoch");
            assertEquals(6, r.steps());
            assertEquals(260, r.samples());
        }
    }

    @Test
    void theBuiltInDataIsTheSameForTheSameSeed() {
        Dataset a = SyntheticData.generate(100, 5);
        Dataset b = SyntheticData.generate(100, 5);
        assertArrayEquals(a.inputs(), b.inputs(), 0.0);
        assertArrayEquals(a.targets(), b.targets(), 0.0);
        assertFalse(Arrays.equals(a.inputs(), SyntheticData.generate(100, 6).inputs()));
    }

    /** The samples of a view, copied into a dataset of their own. */
    private static Dataset copied(Samples v) {
        double[] x = new double[v.count() * v.inputWidth()];
        double[] t = new double[v.count() * v.targetWidth()];
        v.copyInputs(0, v.count(), x, 0);
        v.copyTargets(0, v.count(), t, 0);
        return new Dataset(v.name(), v.count(), v.inputWidth(), v.targetWidth(), x, t);
    }

    /**
     * Shuffled batches of the samples left after drawing some to hold out (a view that picks rows
     * by index) train exactly as the same rows copied out would, in micro-batches too.
     */
    @Test
    void shuffledBatchesOfSamplesPickedByIndexTrainAsTheSameRowsCopied() {
        Dataset data = SyntheticData.generate(700, 8);
        HeldOutSplit split = HeldOutSplit.drawn(data, 100, 11);
        Dataset train = copied(split.train());
        Dataset held = copied(split.held());
        TrainingLoop.Options opts = new TrainingLoop.Options(3, 64, 0.5, true, 11);
        List<List<Double>> losses = new ArrayList<>();
        List<Network> nets = new ArrayList<>();
        for (int leg = 0; leg < 4; leg++) {
            boolean view = leg % 2 == 1;
            List<Double> l = new ArrayList<>();
            try (Backend be = Backends.select("cpu", Precision.FP64).backend();
                    Trainer tr = new Trainer(be, NET, leg < 2 ? 64 : 24)) {
                TrainingLoop.run(
                        tr,
                        view ? split.train() : train,
                        view ? split.held() : held,
                        opts,
                        TrainingLoop.Position.START,
                        () -> false,
                        TrainingLoop.Listener.onEpoch(e -> {
                            l.add(e.loss());
                            l.add(e.validationLoss());
                        }));
                nets.add(tr.network());
            }
            losses.add(l);
        }
        assertEquals(nets.get(0), nets.get(1), "the view trains as the copied rows, bit for bit");
        assertEquals(losses.get(0), losses.get(1), "and measures the same losses");
        assertEquals(nets.get(2), nets.get(3), "in micro-batches of 24 too");
        assertEquals(losses.get(2), losses.get(3));
        assertFalse(nets.get(0).equals(NET), "it trained");
    }

    @Test
    void aRunStoppedAtAnyStepAndResumedEndsWithTheUninterruptedWeightsBitForBit() {
        Dataset data = SyntheticData.generate(700, 8);
        Samples held = data.slice(600, 100);
        Samples train = data.slice(0, 600);
        TrainingLoop.Options opts = new TrainingLoop.Options(4, 64, 0.5, true, 11); // 10 steps an epoch
        Network uninterrupted;
        List<Double> straightLosses = new ArrayList<>();
        try (Backend be = Backends.select("cpu", Precision.FP64).backend();
                Trainer tr = new Trainer(be, NET, 64)) {
            TrainingLoop.Result r = TrainingLoop.run(
                    tr,
                    train,
                    held,
                    opts,
                    TrainingLoop.Position.START,
                    () -> false,
                    TrainingLoop.Listener.onEpoch(e -> straightLosses.add(e.validationLoss())));
            assertTrue(r.finished());
            assertEquals(40, r.steps());
            uninterrupted = tr.network();
        }
        for (int stopAfter : new int[] {1, 10, 17, 39}) {
            Network net = NET;
            TrainingLoop.Position at = TrainingLoop.Position.START;
            List<Double> losses = new ArrayList<>();
            int[] taken = {0};
            boolean finished = false;
            while (!finished) {
                // Each leg is a new backend and trainer from the network saved at the end of the last, as a resumed run
                // is.
                try (Backend be = Backends.select("cpu", Precision.FP64).backend();
                        Trainer tr = new Trainer(be, net, 64)) {
                    TrainingLoop.Result r = TrainingLoop.run(
                            tr, train, held, opts, at, () -> taken[0] == stopAfter, new TrainingLoop.Listener() {
                                @Override
                                public void stepDone(TrainingLoop.Step s) {
                                    taken[0]++;
                                }

                                @Override
                                public void epochDone(TrainingLoop.Epoch e) {
                                    losses.add(e.validationLoss());
                                }
                            });
                    finished = r.finished();
                    at = r.position();
                    net = tr.network();
                }
            }
            assertEquals(uninterrupted, net, "stopped after step " + stopAfter + " and resumed");
            assertEquals(straightLosses, losses, "the held-out losses of every epoch");
        }
    }
}

package dev.nabla.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.benchmark.Workload;
import dev.nabla.data.Dataset;
import dev.nabla.model.Network;
import dev.nabla.train.Trainer;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Training does not make the heap grow: after the first steps, the memory in use stays where it is. */
class SteadyStateMemoryTest {

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void theHeapInUseDoesNotGrowWithTheNumberOfSteps() {
        Workload w = new Workload("small mnist", new int[] {64, 128, 10}, 256, List.of(Precision.FP64));
        Network net = w.network(1);
        SplittableRandom rng = new SplittableRandom(4);
        double[] x = new double[256 * 64];
        double[] t = new double[256 * 10];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble();
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = rng.nextDouble();
        }
        Dataset data = new Dataset("random", 256, 64, 10, x, t);
        try (Backend be = Backends.select("cpu", Precision.FP64).backend(); Trainer tr = new Trainer(be, net, 256)) {
            for (int s = 0; s < 200; s++) {
                tr.step(data, null, 0, 256, 0.01);
            }
            long before = usedAfterGc();
            for (int s = 0; s < 3000; s++) {
                tr.step(data, null, 0, 256, 0.01);
            }
            long after = usedAfterGc();
            System.out.printf("[memory] heap in use after 200 steps %,d bytes, after 3,200 %,d%n", before, after);
            // Anything kept per step would show as at least 3,000 x (a few hundred bytes) = 1 MB or more.
            assertTrue(after - before < 512 * 1024, "the heap grew by " + (after - before) + " bytes in 3,000 steps");
        }
    }
}

package dev.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Backends;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import dev.nabla.cuda.ChildJvm;
import dev.nabla.cuda.EmulatedDevice;
import dev.nabla.data.NpyArray;
import dev.nabla.data.SampleSource;
import dev.nabla.model.Loss;
import dev.nabla.model.Network;
import dev.nabla.numerics.Tolerance;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executor whose backend is the CUDA one: Spark's tasks run on the emulated GPU (the CUDA
 * driver and cuBLAS of engine-cuda's tests, whose device code is Nabla's kernels compiled for the
 * CPU), in a child JVM that loads it. The executor reports the backend the {@code auto} probe or
 * the user chose and the GPU Spark's resource scheduling assigned its tasks, and the weights it
 * trains are one machine's on the CPU within the contract's CUDA bound.
 */
class EmulatedGpuExecutorTest {
    static final TrainingLoop.Options OPTIONS = new TrainingLoop.Options(2, 7, 0.05, true, 17);

    @TempDir
    Path dir;

    static Network network() {
        return SparkTrainerTest.network(Loss.MSE, 3, true);
    }

    /** Every layer's weights, then its bias, layer by layer. */
    static double[] parameters(Network n) {
        return n.layers().stream()
                .flatMapToDouble(l -> DoubleStream.concat(
                        DoubleStream.of(l.weights()), l.hasBias() ? DoubleStream.of(l.bias()) : DoubleStream.empty()))
                .toArray();
    }

    @Test
    void anExecutorOnTheEmulatedGpuComputesOnItAndTrainsAsTheCpuDoes() throws Exception {
        Path libraries = EmulatedDevice.libraries();
        SampleSource data = SparkTrainerTest.write(dir, "mse", Loss.MSE);
        Path script = dir.resolve("gpus.sh");
        Files.writeString(script, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"0\"]}'\n");
        script.toFile().setExecutable(true);

        double[] expected = parameters(oneMachineOnTheCpu(data));
        List<String> backends = List.of("cuda", "auto");
        List<String> args = new ArrayList<>(List.of(
                dir.resolve("mse-x.npy").toString(),
                dir.resolve("mse-t.npy").toString(),
                script.toString(),
                dir.toString()));
        args.addAll(backends);
        String printed = ChildJvm.java(
                System.getProperty("java.class.path"),
                EmulatedGpuExecutorRun.class.getName(),
                args,
                dir,
                libraries.toString(),
                Map.of(),
                300);
        for (String backend : backends) {
            List<String> executors = printed.lines()
                    .filter(l -> l.startsWith("[executor " + backend + "] "))
                    .toList();
            assertEquals(1, executors.size(), "both partitions on the one executor:\n" + printed);
            String line = executors.get(0);
            System.out.println("[emulated gpu] " + line);
            assertTrue(line.contains("partitions 0, 1: executor 0 on "), line);
            if (backend.equals("cuda")) {
                assertTrue(line.contains("cuda") && line.contains("emulated"), "the emulated GPU computes: " + line);
            } else {
                // auto: the probe names the device it found, whichever backend it judged faster for this network.
                assertTrue(line.contains("emulated"), "auto saw the emulated GPU: " + line);
            }
            assertTrue(line.endsWith("; Spark assigned GPU 0"), "the task's GPU resource reached the backend: " + line);

            NpyArray trained = NpyArray.open(dir.resolve(backend + "-trained.npy"));
            double[] actual = new double[trained.cols()];
            trained.copyRows(0, 1, actual, 0);
            assertArrayEquals(expected, actual, Tolerance.CUDA_VERSUS_CPU_FP64.absolute(), backend + ": " + line);
        }
    }

    private static Network oneMachineOnTheCpu(SampleSource data) {
        Network net = network();
        try (Selection s = Backends.select("cpu", Precision.FP64);
                Trainer t = new Trainer(s.backend(), net, OPTIONS.batch(), SparkTrainerTest.MOMENTUM)) {
            TrainingLoop.run(t, data.open(), OPTIONS, null);
            return t.network();
        }
    }
}

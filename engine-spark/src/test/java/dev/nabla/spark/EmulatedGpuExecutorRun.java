package dev.nabla.spark;

import dev.nabla.backend.Precision;
import dev.nabla.data.NpyArray;
import dev.nabla.data.SampleSource;
import dev.nabla.model.Network;
import dev.nabla.model.OptimizerState;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The child JVM of {@link EmulatedGpuExecutorTest}, whose CUDA driver and cuBLAS (its
 * LD_LIBRARY_PATH) are the emulated device: a {@code local-cluster[1,2,1024]} whose worker offers
 * one GPU (a discovery script names GPU 0) to an executor JVM of its own that inherits the
 * emulated device, two tasks sharing it. Trains {@link EmulatedGpuExecutorTest#network} on it
 * with each backend named, prints the run's executor lines as {@code [executor BACKEND] ...}, and
 * writes the trained parameters to {@code DIR/BACKEND-trained.npy}.
 *
 * <p>Arguments: inputs.npy targets.npy discovery-script DIR backend...
 */
public final class EmulatedGpuExecutorRun {
    private EmulatedGpuExecutorRun() {}

    public static void main(String[] args) {
        // As LostExecutorTest's JVM: the worker launches executors with this JVM's class path.
        System.setProperty("spark.testing", "1");
        System.setProperty("spark.test.home", args[3]);
        SparkConf conf = new SparkConf()
                .setMaster("local-cluster[1,2,1024]")
                .setAppName("nabla-emulated-gpu-executor")
                .set("spark.ui.enabled", "false")
                .set("spark.executor.memory", "512m")
                .set("spark.executorEnv.SPARK_SCALA_VERSION", "2.13")
                .set("spark.executorEnv.LD_LIBRARY_PATH", System.getenv("LD_LIBRARY_PATH"))
                .set("spark.executor.extraJavaOptions", "-Dnabla.cpu.threads=1")
                .set("spark.worker.resource.gpu.amount", "1")
                .set("spark.worker.resource.gpu.discoveryScript", args[2])
                .set("spark.executor.resource.gpu.amount", "1")
                .set("spark.executor.resource.gpu.discoveryScript", args[2])
                .set("spark.task.resource.gpu.amount", "0.5");
        try (JavaSparkContext spark = new JavaSparkContext(conf)) {
            spark.setLogLevel("WARN");
            for (int i = 4; i < args.length; i++) {
                String backend = args[i];
                Network net = EmulatedGpuExecutorTest.network();
                SparkTrainer.Result r = new SparkTrainer(
                                spark, SparkTrainer.Config.of(2, Precision.FP64).withBackend(backend))
                        .train(
                                net,
                                SampleSource.npy(args[0], args[1]),
                                EmulatedGpuExecutorTest.OPTIONS,
                                OptimizerState.fresh(SparkTrainerTest.MOMENTUM, net),
                                null);
                ExecutorReport.lines(r.executors()).forEach(l -> System.out.println("[executor " + backend + "] " + l));
                double[] p = EmulatedGpuExecutorTest.parameters(r.network());
                NpyArray.write(Path.of(args[3], backend + "-trained.npy"), p, 1, p.length);
            }
        }
    }
}

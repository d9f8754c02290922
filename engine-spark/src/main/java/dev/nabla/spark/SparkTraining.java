package dev.nabla.spark;

import dev.nabla.InputException;
import dev.nabla.data.SampleSource;
import dev.nabla.train.DistributedTraining;
import dev.nabla.train.Trainer;
import dev.nabla.train.TrainingLoop;
import java.util.function.Consumer;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * {@code engine train --spark}: Nabla's {@link DistributedTraining} on Spark, found by the command
 * on the class path. It starts its own Spark context on the master the command names, or on the
 * one {@code spark-submit} configured, and stops it when the run ends.
 *
 * <p>Spark settings a run reads ({@code --conf} under {@code spark-submit}, or {@code -D} system
 * properties): {@code spark.nabla.exchange} ({@code auto}, {@code collect} or
 * {@code reduce-scatter}) and {@code spark.nabla.driverBytes} (the most bytes of partial gradients
 * the driver collects at once before the automatic choice turns to the reduce-scatter).
 */
public final class SparkTraining implements DistributedTraining {
    /** The log configuration the engine command gives Spark when nobody gave it one. */
    static final String LOG_CONFIGURATION = "dev/nabla/spark/log4j2-engine.properties";

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public Cluster connect(String master, Consumer<String> log) {
        if (System.getProperty("log4j2.configurationFile") == null && System.getenv("SPARK_CONF_DIR") == null) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIGURATION);
        }
        SparkConf conf = new SparkConf().setAppName("nabla train");
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            throw new InputException(
                    "--spark without a master needs one from spark-submit (--master); name it: --spark 'local[4]'");
        }
        // The weights are doubles that lz4 cannot shrink: compressing the broadcast only costs its time.
        conf.setIfMissing("spark.broadcast.compress", "false");
        if (conf.get("spark.master").startsWith("local") && !conf.contains("spark.ui.enabled")) {
            conf.set("spark.ui.enabled", "false"); // no web UI, and no port, for a run on this machine
        }
        JavaSparkContext spark = new JavaSparkContext(conf);
        return new SparkCluster(spark);
    }

    /** A Spark context this run started, and stops. */
    private static final class SparkCluster implements Cluster {
        private final JavaSparkContext spark;

        SparkCluster(JavaSparkContext spark) {
            this.spark = spark;
        }

        @Override
        public String describe() {
            return "Spark " + spark.version() + ", master " + spark.master() + ", " + defaultPartitions()
                    + " partitions by default (the cores it offers)";
        }

        @Override
        public int defaultPartitions() {
            return spark.defaultParallelism();
        }

        @Override
        public Run start(
                Trainer driver,
                SampleSource data,
                TrainingLoop.Options options,
                int partitions,
                String backend,
                int microBatch) {
            SparkConf conf = spark.getConf();
            SparkTrainer.Config config = SparkTrainer.Config.of(
                            partitions, driver.backend().precision())
                    .withBackend(backend)
                    .withExchange(ExchangeChoice.parse(conf.get("spark.nabla.exchange", "auto")))
                    .withDriverBytes(conf.getSizeAsBytes("spark.nabla.driverBytes", SparkTrainer.DRIVER_BYTES + "b"));
            return new SparkTrainer(spark, config).steps(driver, data, options, microBatch);
        }

        @Override
        public void close() {
            spark.stop();
        }
    }
}

package dev.nabla.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The one Spark context of the test JVM: {@code local[2,4]}, two task threads, and every task
 * tried up to four times ({@code local[N,F]}), so an injected failure is retried. Started on
 * first use (about 3 s), stopped when the JVM exits.
 */
final class SharedSpark {
    private static JavaSparkContext context;

    private SharedSpark() {}

    static synchronized JavaSparkContext get() {
        if (context == null) {
            SparkConf conf = new SparkConf()
                    .setMaster("local[2,4]")
                    .setAppName("nabla-engine-spark-tests")
                    .set("spark.ui.enabled", "false")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1");
            context = new JavaSparkContext(conf);
            context.setLogLevel("WARN");
            JavaSparkContext started = context;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop));
        }
        return context;
    }
}

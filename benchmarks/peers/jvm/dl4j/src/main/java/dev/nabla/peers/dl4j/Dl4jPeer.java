package dev.nabla.peers.dl4j;

import dev.nabla.peers.MavenVersion;
import dev.nabla.peers.PeerServer;
import dev.nabla.peers.StepFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** The DL4J peer, on ND4J's native CPU backend: {@code MultiLayerNetwork.fit}, and raw ND4J with gemm. */
public final class Dl4jPeer {
    private Dl4jPeer() {}

    public static void main(String[] args) throws Exception {
        Map<String, StepFactory> variants = new LinkedHashMap<>();
        variants.put("dl4j-fit", FitStep::new);
        variants.put("dl4j-nd4j", Nd4jStep::new);
        PeerServer.serve(variants, Dl4jPeer::versions);
    }

    private static Map<String, String> versions() {
        int threads = PeerServer.threads();
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        Map<String, String> v = new LinkedHashMap<>();
        v.put("dl4j", MavenVersion.of("org.deeplearning4j", "deeplearning4j-nn"));
        v.put(
                "nd4j backend",
                env.getProperty("backend", "?") + ", BLAS " + env.getProperty("blas.vendor", "?")
                        + " (org.bytedeco:openblas " + MavenVersion.of("org.bytedeco", "openblas") + ")");
        v.put(
                "nd4j threads",
                Nd4j.getEnvironment().maxThreads() + " (OpenMP max "
                        + NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads() + ")");
        v.put(
                "nd4j build",
                NativeOpsHolder.getInstance()
                        .getDeviceNativeOps()
                        .buildInfo()
                        .replaceAll("\\s+", " ")
                        .strip());
        return v;
    }
}

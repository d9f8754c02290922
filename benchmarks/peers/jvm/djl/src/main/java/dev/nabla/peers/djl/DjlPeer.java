package dev.nabla.peers.djl;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.nabla.peers.PeerServer;
import dev.nabla.peers.StepFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The DJL peer, on its PyTorch engine: the {@code Trainer} API, and raw NDArray operations. DJL
 * runs offline ({@code ai.djl.offline}): libtorch comes from the pytorch-native-cpu jar on the
 * classpath, never from a download.
 */
public final class DjlPeer {
    private DjlPeer() {}

    public static void main(String[] args) throws Exception {
        System.setProperty("ai.djl.offline", "true");
        String threads = String.valueOf(PeerServer.threads());
        System.setProperty("ai.djl.pytorch.num_threads", threads); // read when the engine loads
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Map<String, StepFactory> variants = new LinkedHashMap<>();
        variants.put("djl-trainer", TrainerStep::new);
        variants.put("djl-ndarray", NDArrayStep::new);
        PeerServer.serve(variants, DjlPeer::versions);
    }

    private static Map<String, String> versions() {
        Engine engine = Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(PeerServer.threads());
        Map<String, String> v = new LinkedHashMap<>();
        v.put("djl", Engine.getDjlVersion());
        v.put("djl libtorch", engine.getVersion());
        v.put("djl threads", JniUtils.getNumThreads() + " intra-op, " + JniUtils.getNumInteropThreads() + " inter-op");
        v.put("djl libtorch features", String.join(" ", new TreeSet<>(JniUtils.getFeatures())));
        return v;
    }
}

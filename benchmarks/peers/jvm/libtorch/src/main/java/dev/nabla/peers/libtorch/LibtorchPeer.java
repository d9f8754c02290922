package dev.nabla.peers.libtorch;

import dev.nabla.peers.PeerServer;
import dev.nabla.peers.StepFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/** The libtorch peer (JavaCPP's presets for PyTorch): autograd with SGD, and a hand-written backward pass. */
public final class LibtorchPeer {
    private LibtorchPeer() {}

    public static void main(String[] args) throws Exception {
        Map<String, StepFactory> variants = new LinkedHashMap<>();
        variants.put("libtorch-autograd", AutogradStep::new);
        variants.put("libtorch-manual", ManualStep::new);
        PeerServer.serve(variants, LibtorchPeer::versions);
    }

    /** The versions, the threads (set here to Nabla's), and libtorch's own account of its build. */
    private static Map<String, String> versions() {
        int threads = PeerServer.threads();
        torch.set_num_threads(threads);
        torch.set_num_interop_threads(1); // one step at a time: no operator runs beside another
        Map<String, String> v = new LinkedHashMap<>();
        v.put("javacpp-pytorch", String.valueOf(Tensor.class.getPackage().getImplementationVersion()));
        v.put(
                "libtorch threads",
                torch.get_num_threads() + " intra-op, " + torch.get_num_interop_threads() + " inter-op");
        try (BytePointer config = torch.show_config()) {
            v.put("libtorch build", ConfigSummary.of(config.getString()));
        }
        return v;
    }
}

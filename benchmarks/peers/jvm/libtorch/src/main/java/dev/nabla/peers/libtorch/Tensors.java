package dev.nabla.peers.libtorch;

import dev.nabla.peers.Inputs;
import java.util.List;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Nabla's matrices as libtorch tensors. */
final class Tensors {
    private Tensors() {}

    /** A tensor that owns a copy of {@code m}'s values, in double or single precision. */
    static Tensor of(Inputs.Matrix m, boolean fp64) {
        try (DoublePointer values = new DoublePointer(m.values());
                TensorOptions options = new TensorOptions(torch.ScalarType.Double)) {
            // from_blob only wraps the pointer, freed at the end of this block: clone or convert to own the data
            Tensor view = torch.from_blob(values, new long[] {m.rows(), m.cols()}, options);
            return fp64 ? view.clone() : view.to(torch.ScalarType.Float);
        }
    }

    /** Copies each of {@code initial} into the tensor of {@code weights} at its index, outside autograd. */
    static void copyAll(List<Tensor> initial, List<Tensor> weights) {
        try (PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            for (int l = 0; l < weights.size(); l++) {
                weights.get(l).copy_(initial.get(l));
            }
        }
    }
}

package dev.nabla.peers.libtorch;

import dev.nabla.peers.Inputs;
import dev.nabla.peers.Step;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * The step as a libtorch user writes it: the forward pass on weights that require gradients,
 * {@code mse_loss}, {@code backward()}, and the {@code SGD} optimizer.
 *
 * <p>{@code mse_loss} is a mean over the outputs as well as the batch, and has no 1/2: its gradient
 * is {@code 2 / outputs} times Nabla's, so the optimizer's learning rate is Nabla's times {@code
 * outputs / 2}, which makes the update the same; its loss times {@code outputs / 2} is Nabla's.
 */
final class AutogradStep implements Step {
    private final Tensor x;
    private final Tensor t;
    private final List<Tensor> initial = new ArrayList<>();
    private final List<Tensor> weights = new ArrayList<>();
    private final SGD optimizer;
    private final double toNablaLoss;

    AutogradStep(Inputs in, boolean fp64, double lr) {
        x = Tensors.of(in.x, fp64);
        t = Tensors.of(in.t, fp64);
        TensorVector params = new TensorVector();
        for (Inputs.Matrix m : in.weights) {
            Tensor w0 = Tensors.of(m, fp64);
            initial.add(w0);
            Tensor w = w0.clone();
            w.set_requires_grad(true);
            weights.add(w);
            params.push_back(w);
        }
        int outputs = in.t.cols();
        toNablaLoss = outputs / 2.0;
        optimizer = new SGD(params, new SGDOptions(lr * outputs / 2.0));
    }

    @Override
    public double step() {
        // frees the step's temporary tensors now, not whenever the garbage collector runs
        try (PointerScope scope = new PointerScope()) {
            Tensor a = x;
            for (Tensor w : weights) {
                a = torch.sigmoid(a.mm(w.t()));
            }
            Tensor loss = torch.mse_loss(a, t);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            return loss.item_double() * toNablaLoss;
        }
    }

    @Override
    public void reset() {
        Tensors.copyAll(initial, weights);
    }
}

package dev.nabla.peers.libtorch;

import dev.nabla.peers.Inputs;
import dev.nabla.peers.Step;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The step with its backward pass written out in libtorch's tensor operations, without autograd:
 * the deltas {@code g * a * (1 - a)}, the weight gradients {@code delta^T a}, the gradient passed
 * down {@code delta W}, then {@code W -= lr * dW}: Nabla's own formulas, on libtorch's kernels.
 */
final class ManualStep implements Step {
    private final Tensor x;
    private final Tensor t;
    private final List<Tensor> initial = new ArrayList<>();
    private final List<Tensor> weights = new ArrayList<>();
    private final double lr;

    ManualStep(Inputs in, boolean fp64, double lr) {
        this.lr = lr;
        x = Tensors.of(in.x, fp64);
        t = Tensors.of(in.t, fp64);
        for (Inputs.Matrix m : in.weights) {
            Tensor w0 = Tensors.of(m, fp64);
            initial.add(w0);
            weights.add(w0.clone());
        }
    }

    @Override
    public double step() {
        try (PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            int depth = weights.size();
            List<Tensor> acts = new ArrayList<>();
            acts.add(x);
            for (Tensor w : weights) {
                acts.add(torch.sigmoid(acts.get(acts.size() - 1).mm(w.t())));
            }
            double batch = x.size(0);
            Tensor diff = acts.get(depth).sub(t);
            double loss = 0.5 * diff.square().sum().item_double() / batch;
            Tensor g = diff.mul(new Scalar(1 / batch));
            Tensor[] grads = new Tensor[depth];
            for (int l = depth - 1; l >= 0; l--) {
                Tensor a = acts.get(l + 1);
                Tensor delta = g.mul(a.sub(a.square())); // a (1 - a): the sigmoid's derivative
                grads[l] = delta.t().mm(acts.get(l));
                if (l > 0) {
                    g = delta.mm(weights.get(l)); // with the weights from before the update
                }
            }
            Scalar rate = new Scalar(lr); // sub_(other, alpha) subtracts alpha * other
            for (int l = 0; l < depth; l++) {
                weights.get(l).sub_(grads[l], rate);
            }
            return loss;
        }
    }

    @Override
    public void reset() {
        Tensors.copyAll(initial, weights);
    }
}

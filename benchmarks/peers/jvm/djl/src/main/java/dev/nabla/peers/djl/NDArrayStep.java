package dev.nabla.peers.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import dev.nabla.peers.Inputs;
import dev.nabla.peers.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * The step written out in DJL's NDArray operations, without autograd: forward, the deltas {@code g
 * * a * (1 - a)}, the weight gradients {@code delta^T a}, the gradient passed down {@code delta W}
 * with the weights from before the update, then {@code W -= lr * dW}.
 */
final class NDArrayStep implements Step {
    private final Inputs in;
    private final boolean fp64;
    private final double lr;
    private final NDManager manager;
    private final NDArray x;
    private final NDArray t;
    private final List<NDArray> weights = new ArrayList<>();

    NDArrayStep(Inputs in, boolean fp64, double lr) {
        this.in = in;
        this.fp64 = fp64;
        this.lr = lr;
        manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
        x = Arrays.of(manager, in.x, fp64);
        t = Arrays.of(manager, in.t, fp64);
        for (Inputs.Matrix w : in.weights) {
            weights.add(Arrays.of(manager, w, fp64));
        }
    }

    @Override
    public double step() {
        try (NDManager scope = manager.newSubManager()) {
            x.tempAttach(scope);
            t.tempAttach(scope);
            int depth = weights.size();
            List<NDArray> acts = new ArrayList<>();
            acts.add(x);
            for (NDArray w : weights) {
                acts.add(Activation.sigmoid(acts.get(acts.size() - 1).matMul(w.transpose())));
            }
            double batch = x.getShape().get(0);
            NDArray diff = acts.get(depth).sub(t);
            double loss = 0.5 * Arrays.scalar(diff.square().sum()) / batch;
            NDArray g = diff.div(batch);
            NDArray[] grads = new NDArray[depth];
            for (int l = depth - 1; l >= 0; l--) {
                NDArray a = acts.get(l + 1);
                NDArray delta = g.mul(a.sub(a.square())); // a (1 - a): the sigmoid's derivative
                grads[l] = delta.transpose().matMul(acts.get(l));
                if (l > 0) {
                    g = delta.matMul(weights.get(l));
                }
            }
            for (int l = 0; l < depth; l++) {
                weights.get(l).subi(grads[l].muli(lr));
            }
            return loss;
        }
    }

    @Override
    public void reset() {
        Arrays.fillAll(weights, in.weights, fp64);
    }

    @Override
    public void close() {
        manager.close();
    }
}

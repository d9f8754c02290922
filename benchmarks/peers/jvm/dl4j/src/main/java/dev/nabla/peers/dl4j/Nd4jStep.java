package dev.nabla.peers.dl4j;

import dev.nabla.peers.Inputs;
import dev.nabla.peers.Step;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The step written out in ND4J, on buffers allocated once: each product a {@code Nd4j.gemm} into its
 * buffer, the sigmoid and the deltas {@code g * a * (1 - a)} in place, and the update a gemm too,
 * {@code W = -lr * delta^T a + W}, after {@code delta W} has been passed down with the old weights.
 */
final class Nd4jStep implements Step {
    private final Inputs in;
    private final boolean fp64;
    private final double lr;
    private final List<INDArray> weights = new ArrayList<>();
    /** acts[0] is the input; acts[l + 1] layer l's output. */
    private final List<INDArray> acts = new ArrayList<>();
    /** The gradient arriving at each layer's output, batch x outputs. */
    private final List<INDArray> grads = new ArrayList<>();

    private final INDArray t;

    Nd4jStep(Inputs in, boolean fp64, double lr) {
        this.in = in;
        this.fp64 = fp64;
        this.lr = lr;
        acts.add(Arrays.of(in.x, fp64));
        t = Arrays.of(in.t, fp64);
        for (Inputs.Matrix w : in.weights) {
            weights.add(Arrays.of(w, fp64));
            acts.add(Nd4j.create(Arrays.type(fp64), in.batch(), w.rows()));
            grads.add(Nd4j.create(Arrays.type(fp64), in.batch(), w.rows()));
        }
    }

    @Override
    public double step() {
        int depth = weights.size();
        for (int l = 0; l < depth; l++) {
            Nd4j.gemm(acts.get(l), weights.get(l), acts.get(l + 1), false, true, 1.0, 0.0); // a W^T
            Transforms.sigmoid(acts.get(l + 1), false);
        }
        double batch = in.batch();
        INDArray g = grads.get(depth - 1);
        g.assign(acts.get(depth)).subi(t); // o - t
        double loss = Losses.nabla(g, batch);
        g.divi(batch);
        for (int l = depth - 1; l >= 0; l--) {
            INDArray a = acts.get(l + 1);
            INDArray delta = grads.get(l);
            delta.muli(a).muli(a.rsub(1.0)); // times a (1 - a), the sigmoid's derivative
            if (l > 0) {
                Nd4j.gemm(delta, weights.get(l), grads.get(l - 1), false, false, 1.0, 0.0); // with the old W
            }
            Nd4j.gemm(delta, acts.get(l), weights.get(l), true, false, -lr, 1.0); // W -= lr delta^T a
        }
        return loss;
    }

    @Override
    public void reset() {
        for (int l = 0; l < weights.size(); l++) {
            weights.get(l).assign(Arrays.of(in.weights.get(l), fp64));
        }
    }
}

package dev.nabla.train;

import dev.nabla.backend.Backend;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Matrix;
import dev.nabla.model.Loss;
import dev.nabla.train.DeviceNetwork.DeviceLayer;

/**
 * The forward pass, the loss and the backward pass of one micro-batch, as backend operations on
 * a {@link DeviceNetwork}; one fused operation where the backend fuses the network. For layers
 * {@code 1..L}, a micro-batch {@code x} of {@code B} rows of a batch of {@code count} samples, and
 * targets {@code t}:
 * <pre>
 *   a_0 = x;  z_l = a_{l-1} W_l^T + b_l;  a_l = f_l(z_l)
 *   L = (sum over samples of sum_k 1/2 (t_k - a_L,k)^2) / count;   g_L = dL/da_L = (a_L - t) / count
 *   delta_l = g_l * f_l'(a_l);  dW_l = delta_l^T a_{l-1};  db_l = column sums of delta_l
 *   g_{l-1} = delta_l W_l            (with W_l from before the update, as the document does)
 * </pre>
 * With {@code beta = 1} the loss and the gradients add to those of the micro-batches before, so a
 * batch split into micro-batches sums to the batch's.
 *
 * <p>A classification loss ({@link Loss#logitLoss()}) replaces the last layer's activation, the
 * loss and the activation's backward with one fused operation on the logits {@code z_L}
 * ({@link Backend#logitLoss}), which gives {@code delta_L = dL/dz_L} directly and also counts the
 * samples classified right (the loss matrix is then {@code 1 x 2}).
 */
final class ForwardBackward {
    private final Backend backend;
    private final DeviceNetwork net;
    private final Matrix loss;
    /** The fused classification loss, or null for the mean squared error. */
    private final LogitLoss logitLoss;

    /**
     * Passes over {@code net}; {@code loss} receives each batch's loss ({@code 1 x 1}), and for a
     * classification loss also the samples classified right ({@code 1 x 2}).
     */
    ForwardBackward(Backend backend, DeviceNetwork net, Matrix loss) {
        this.backend = backend;
        this.net = net;
        this.loss = loss;
        this.logitLoss = net.initial().loss().logitLoss();
    }

    /**
     * Forward and loss over one micro-batch {@code in}, {@code tgt} of a batch of {@code count}
     * samples, and when {@code train} the backward pass too; {@code trace}, when not null,
     * receives a copy of every intermediate value (and forces the layer-by-layer passes).
     */
    void compute(Matrix in, Matrix tgt, int count, double beta, boolean train, StepTracer trace) {
        if (train && trace == null && net.fused() != null) {
            backend.networkGradients(net.fused(), in, tgt, count, beta, loss);
            return;
        }
        int rows = in.rows();
        net.allocateLayerBuffers();
        DeviceLayer last = net.layer(net.depth() - 1);
        Matrix out = last.activations.first(rows);
        Matrix delta = last.gradients.first(rows);
        if (logitLoss == null) {
            forward(in, trace, true);
            backend.mseLoss(out, tgt, count, delta, beta, loss);
        } else {
            forward(in, trace, false);
            backend.logitLoss(logitLoss, out, tgt, count, delta, beta, loss);
            if (trace != null) { // the trace shows the probabilities, as a prediction does
                backend.activationForward(last.spec.activation(), out, out);
                trace.activation[net.depth() - 1] = backend.download(out);
            }
        }
        if (train) {
            backward(in, beta, trace);
        }
    }

    /** {@code a_l = f_l(a_{l-1} W_l^T + b_l)} for every layer; returns {@code a_L}, {@code in.rows() x O}. */
    Matrix forward(Matrix in, StepTracer trace) {
        return forward(in, trace, true);
    }

    /** {@link #forward}, stopping at the logits {@code z_L} unless {@code outputActivation}. */
    private Matrix forward(Matrix in, StepTracer trace, boolean outputActivation) {
        net.allocateLayerBuffers();
        int rows = in.rows();
        Matrix a = in;
        for (int l = 0; l < net.depth(); l++) {
            DeviceLayer s = net.layer(l);
            Matrix z = s.activations.first(rows);
            backend.gemm(false, true, 1.0, a, s.weights, 0.0, z);
            if (s.bias != null) {
                backend.addBias(s.bias, z);
            }
            if (trace != null) {
                trace.preActivation[l] = backend.download(z);
            }
            if (!outputActivation && l == net.depth() - 1) {
                break;
            }
            backend.activationForward(s.spec.activation(), z, z);
            if (trace != null) {
                trace.activation[l] = backend.download(z);
            }
            a = z;
        }
        return a;
    }

    /** Backward over one micro-batch whose forward pass and loss have run; {@code beta = 1} adds its gradients. */
    private void backward(Matrix in, double beta, StepTracer trace) {
        int rows = in.rows();
        for (int l = net.depth() - 1; l >= 0; l--) {
            DeviceLayer s = net.layer(l);
            Matrix a = s.activations.first(rows);
            Matrix g = s.gradients.first(rows);
            Matrix below = l == 0 ? in : net.layer(l - 1).activations.first(rows);
            if (trace != null) {
                trace.outputGradient[l] = backend.download(g);
            }
            if (logitLoss == null || l < net.depth() - 1) { // a logit loss gave dL/dz_L itself
                backend.activationBackward(s.spec.activation(), a, g, g);
            }
            backend.gemm(true, false, 1.0, g, below, beta, s.weightGrad);
            if (s.bias != null) {
                backend.biasGradient(g, beta, s.biasGrad);
            }
            if (l > 0) {
                backend.gemm(
                        false,
                        false,
                        1.0,
                        g,
                        s.weights,
                        0.0,
                        net.layer(l - 1).gradients.first(rows));
            }
            if (trace != null) {
                trace.delta[l] = backend.download(g);
                trace.weightGradient[l] = backend.download(s.weightGrad);
                trace.biasGradient[l] = s.biasGrad == null ? null : backend.download(s.biasGrad);
            }
        }
    }
}

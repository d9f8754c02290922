package dev.nabla.cuda;

import dev.nabla.backend.Activation;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Precision;
import java.util.Locale;
import jcuda.driver.CUfunction;

/** The kernels of one precision, looked up once by name ({@code <op>_<direction>_f64} or {@code _f32}). */
final class KernelSet {
    /** The elementwise activations' kernels by {@link Activation#ordinal()}; null for softmax, which has its own. */
    final CUfunction[] forward = new CUfunction[Activation.values().length];

    final CUfunction[] backward = new CUfunction[Activation.values().length];
    final CUfunction softmaxForward;
    /** The first stage of each {@link LogitLoss}, by its ordinal; then their shared finishing stage. */
    final CUfunction[] logitLossForward = new CUfunction[LogitLoss.values().length];

    final CUfunction logitLossFinish;
    final CUfunction mseForward;
    final CUfunction mseFinish;
    final CUfunction biasForward;
    final CUfunction biasPartial;
    final CUfunction biasFinish;
    final CUfunction sgdUpdate;
    final CUfunction sgdMomentumUpdate;
    final CUfunction adamUpdate;
    final CUfunction gemm;
    /** {@code small_network_partial_w<W>}, by {@link SmallNetworkKernel#WIDTHS}; then its finishing stage. */
    final CUfunction[] smallNetworkPartial = new CUfunction[SmallNetworkKernel.WIDTHS.length];

    final CUfunction smallNetworkFinish;

    KernelSet(Kernels k, Precision p) {
        String s = p == Precision.FP64 ? "_f64" : "_f32";
        for (Activation a : Activation.values()) {
            if (a.elementwise()) {
                forward[a.ordinal()] = k.function(a.id() + "_forward" + s);
                backward[a.ordinal()] = k.function(a.id() + "_backward" + s);
            }
        }
        softmaxForward = k.function("softmax_forward" + s);
        for (LogitLoss l : LogitLoss.values()) {
            logitLossForward[l.ordinal()] = k.function(l.name().toLowerCase(Locale.ROOT) + "_forward" + s);
        }
        logitLossFinish = k.function("logit_loss_finish" + s);
        mseForward = k.function("mse_forward" + s);
        mseFinish = k.function("mse_finish" + s);
        biasForward = k.function("bias_forward" + s);
        biasPartial = k.function("bias_backward_partial" + s);
        biasFinish = k.function("bias_backward_finish" + s);
        sgdUpdate = k.function("sgd_update" + s);
        sgdMomentumUpdate = k.function("sgd_momentum_update" + s);
        adamUpdate = k.function("adam_update" + s);
        gemm = k.function("gemm" + s);
        for (int i = 0; i < smallNetworkPartial.length; i++) {
            smallNetworkPartial[i] = k.function("small_network_partial_w" + SmallNetworkKernel.WIDTHS[i] + s);
        }
        smallNetworkFinish = k.function("small_network_finish" + s);
    }
}

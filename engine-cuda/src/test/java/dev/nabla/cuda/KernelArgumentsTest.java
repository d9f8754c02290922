package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nabla.backend.Activation;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/**
 * The arguments every Java launcher passes line up with the kernels' parameters, as the bundled PTX
 * declares them: the same number, and at each place an int for {@code .u32/.s32}, a double for
 * {@code .f64}, a float for {@code .f32} and a device pointer for {@code .u64}. A GPU would take a
 * misplaced argument without complaint; this checks it without one.
 */
class KernelArgumentsTest {

    /** The parameter types of a kernel entry, from the PTX of {@code module}. */
    private static List<String> ptxParameters(String module, String entry) {
        String ptx = BundledPtx.text(module);
        Matcher m = Pattern.compile("\\.entry " + entry + "\\(([^)]*)\\)").matcher(ptx);
        if (!m.find()) {
            throw new AssertionError(entry + " is not in " + module + ".ptx");
        }
        List<String> types = new ArrayList<>();
        Matcher p = Pattern.compile("\\.param \\.(\\w+) ").matcher(m.group(1));
        while (p.find()) {
            types.add(p.group(1));
        }
        return types;
    }

    private static String typeOf(Object arg) {
        if (arg instanceof Integer) {
            return "u32";
        }
        if (arg instanceof Double) {
            return "f64";
        }
        if (arg instanceof Float) {
            return "f32";
        }
        if (arg instanceof CUdeviceptr || arg == Launch.NULL) {
            return "u64";
        }
        throw new AssertionError("argument of type " + arg.getClass());
    }

    private static void matches(String module, String entry, Object[] args) {
        List<String> declared = ptxParameters(module, entry).stream()
                .map(t -> t.equals("s32") ? "u32" : t)
                .toList();
        List<String> passed =
                Arrays.stream(args).map(KernelArgumentsTest::typeOf).toList();
        assertEquals(declared, passed, entry + ": the PTX's parameters, and what the launcher passes");
    }

    private static Matrix matrix(int rows, int cols) {
        return new DeviceMatrix(null, rows, cols, new DeviceMatrix.Storage(new CUdeviceptr()), false);
    }

    @Test
    void elementwiseAndReductionLaunchersPassWhatTheKernelsDeclare() {
        CUdeviceptr d = new CUdeviceptr();
        for (Precision p : new Precision[] {Precision.FP64, Precision.FP32}) {
            String s = p == Precision.FP64 ? "_f64" : "_f32";
            for (Activation f : Activation.values()) {
                if (f.elementwise()) {
                    matches("activation", f.id() + "_forward" + s, KernelArgs.activationForward(7, d, d));
                    matches("activation", f.id() + "_backward" + s, KernelArgs.activationBackward(7, d, d, d));
                }
            }
            matches("softmax", "softmax_forward" + s, KernelArgs.softmaxForward(7, 3, d, d));
            matches("mse", "mse_forward" + s, KernelArgs.mseForward(p, 7, 0.5, d, d, d, d));
            matches("mse", "mse_finish" + s, KernelArgs.mseFinish(3, 0.5, 1.0, d, d));
            matches("bias", "bias_forward" + s, KernelArgs.biasForward(7, 3, d, d));
            matches("bias", "bias_backward_partial" + s, KernelArgs.biasPartial(7, 3, 64, d, d));
            matches("bias", "bias_backward_finish" + s, KernelArgs.biasFinish(2, 3, 1.0, d, d));
            for (LogitLoss l : LogitLoss.values()) { // named as KernelSet looks them up
                String loss = l.name().toLowerCase(Locale.ROOT);
                matches("logit_loss", loss + "_forward" + s, KernelArgs.logitLossForward(7, 3, 0.1, d, d, d, d));
            }
            matches("logit_loss", "logit_loss_finish" + s, KernelArgs.logitLossFinish(1, 10, 1.0, d, d));
            matches("optimizer", "sgd_update" + s, KernelArgs.sgdUpdate(7, 0.01, d, d, d));
            matches(
                    "optimizer",
                    "sgd_momentum_update" + s,
                    KernelArgs.sgdMomentumUpdate(7, 0.9, true, 0.01, d, d, d, d));
            matches(
                    "optimizer",
                    "adam_update" + s,
                    KernelArgs.adamUpdate(7, 0.9, 0.999, 1e-8, 0.01, true, d, d, d, d, d));
        }
    }

    @Test
    void theGemmLauncherPassesWhatTheKernelDeclares() {
        CUdeviceptr d = new CUdeviceptr();
        matches(
                "gemm",
                "gemm_f64",
                OwnKernelGemm.args(Precision.FP64, true, false, 3, 4, 5, 1.0, d, 3, d, 4, 0.0, d, 4));
        matches(
                "gemm",
                "gemm_f32",
                OwnKernelGemm.args(Precision.FP32, false, true, 3, 4, 5, 1.0, d, 5, d, 5, 0.0, d, 4));
    }

    @Test
    void smallNetworkLaunchersPassWhatTheKernelsDeclare() {
        int[] widths = {5, 8, 3, 4, 1};
        List<LayerParameters> layers = new ArrayList<>();
        for (int l = 0; l + 1 < widths.length; l++) {
            boolean bias = l % 2 == 0;
            layers.add(new LayerParameters(
                    Activation.TANH,
                    matrix(widths[l + 1], widths[l]),
                    bias ? matrix(1, widths[l + 1]) : null,
                    matrix(widths[l + 1], widths[l]),
                    bias ? matrix(1, widths[l + 1]) : null));
        }
        Matrix x = matrix(100, 5);
        Matrix t = matrix(100, 1);
        Matrix loss = matrix(1, 1);
        CUdeviceptr partial = new CUdeviceptr();
        for (String p : new String[] {"f64", "f32"}) {
            Object scale = p.equals("f64") ? (Object) 0.01 : (Object) 0.01f;
            matches(
                    "small_network",
                    "small_network_partial_w8_" + p,
                    SmallNetworkKernel.partialArgs(widths, layers, x, t, scale, partial));
            matches(
                    "small_network",
                    "small_network_finish_" + p,
                    SmallNetworkKernel.finishArgs(widths, layers, 100, 0.01, 1.0, loss, partial));
        }
        // A shallower, narrower network passes the same number of arguments (nulls for the absent layers).
        List<LayerParameters> two = List.of(
                new LayerParameters(Activation.SIGMOID, matrix(2, 2), null, matrix(2, 2), null),
                new LayerParameters(Activation.SIGMOID, matrix(2, 2), null, matrix(2, 2), null));
        matches(
                "small_network",
                "small_network_partial_w2_f64",
                SmallNetworkKernel.partialArgs(new int[] {2, 2, 2}, two, matrix(9, 2), matrix(9, 2), 0.1, partial));
    }
}

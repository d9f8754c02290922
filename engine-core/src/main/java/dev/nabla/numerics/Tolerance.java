package dev.nabla.numerics;

import dev.nabla.backend.Precision;

/**
 * How closely two computations of the same numbers must agree: Nabla's numeric contract, and
 * every bound its tests and {@code engine bench}'s peer check hold results to, each with the
 * reason for its size. A value passes when {@code |actual - expected| <= absolute + relative *
 * scale}, where the scale is {@code |expected|} unless the comparison knows a better one (the
 * sum of the magnitudes of the terms a result adds up, for products and reductions, whose
 * rounding error grows with those terms and not with the result).
 *
 * <p>The kernels' emulated tests (C++) take the same numbers: {@code KernelEmulationTest} compiles
 * them in from here.
 *
 * @param absolute the bound where the scale is near zero
 * @param relative the bound per unit of scale
 * @param reason why the bound is this size
 */
public record Tolerance(double absolute, double relative, String reason) {

    /** The document prints its values with 8 decimals: a correct value is within half the last digit. */
    public static final Tolerance DOCUMENT = new Tolerance(
            5e-9, 0, "the document prints 8 decimals, so a correct value lies within 5e-9 of the printed one");

    /**
     * FP64, the same math with its roundings in another order: a blocked or vectorized product,
     * another split over threads or micro-batches, Nabla's kernels or cuBLAS against a plain loop.
     * Each rounding is at most 1.1e-16 relative, so sums of up to a few thousand terms move by well
     * under 1e-12 of the terms' magnitudes; any wrong term moves them by far more.
     */
    public static final Tolerance FP64_REORDERED = new Tolerance(
            1e-15,
            1e-12,
            "fp64 with the roundings in another order: 1.1e-16 per rounding, a few thousand terms per sum");

    /**
     * FP64, a batch's mean loss or gradient summed in another order (a fused pass against a
     * per-sample reference): each term is at most about 1/count of the result's size, so the
     * rounding stays near 1e-16 per term, within 1e-13 over a few thousand rows.
     */
    public static final Tolerance FP64_MEAN = new Tolerance(
            1e-13, 0, "fp64 means over a few thousand rows in another order: 1e-16 per term of size 1/count");

    /** FP64 after up to 30 training steps taken both ways: small steps do not amplify rounding. */
    public static final Tolerance FP64_TRAINED =
            new Tolerance(1e-12, 0, "fp64 after up to 30 small training steps of reordered roundings (1e-16 each)");

    /**
     * FP64 after 50 optimizer steps (SGD with momentum, Adam, AdamW) taken both ways: the same
     * update rules on gradients summed in another order. Adam divides each gradient by its own
     * running magnitude, so a reordering's 1e-16 relative stays 1e-16 relative in the step; 50 of
     * them stay well within this, and a slip in a rule (a bias correction, the decay's place) is
     * orders of magnitude larger.
     */
    public static final Tolerance FP64_OPTIMIZED =
            new Tolerance(1e-12, 0, "fp64 after 50 optimizer steps of reordered roundings (1e-16 relative each)");

    /**
     * The CUDA backend against the CPU backend in FP64, any operation or number of steps: the
     * contract's bound (the tests print the differences they see, which aim at 1e-12).
     */
    public static final Tolerance CUDA_VERSUS_CPU_FP64 = new Tolerance(
            1e-8, 0, "the contract's bound for CUDA against the CPU in fp64; the printed differences aim at 1e-12");

    /**
     * FP32 against FP64 or against another FP32 computation: single precision rounds to 6e-8
     * relative, accumulated over up to a thousand terms.
     */
    public static final Tolerance FP32 =
            new Tolerance(1e-6, 1e-5, "fp32: 6e-8 per rounding, accumulated over up to a thousand terms");

    /**
     * TF32 products against FP64: tensor cores round the products' inputs to a 10-bit mantissa
     * (up to 2^-11 each, about 1e-3 for a product), so a sum is within 2e-3 of its terms' magnitudes.
     */
    public static final Tolerance TF32 =
            new Tolerance(0, 2e-3, "tf32 rounds the products' inputs to 10 bits: about 1e-3 per product");

    /** The step of the central finite differences that gradients are checked against (FP64). */
    public static final double FINITE_DIFFERENCE_STEP = 1e-6;

    /**
     * An analytic gradient against central finite differences with {@link #FINITE_DIFFERENCE_STEP},
     * scaled by the larger of the two: the difference quotient's own truncation error is about
     * {@code step^2} relative, and its rounding (about 1e-16 in the loss, divided by twice the step)
     * about 1e-10 absolute, so gradients near zero are held to that.
     */
    public static final Tolerance FINITE_DIFFERENCE = new Tolerance(
            1e-10, 1e-6, "central differences of step 1e-6: 1e-12 truncation relative, 1e-10 rounding absolute");

    /**
     * The CPU backend's vector sigmoid against {@link Math#exp}'s, in units in the last place of
     * the result (plus as many of the smallest subnormals, where results carry fewer bits): its own
     * exponential (a range reduction, a Taylor polynomial, a scaling by a power of two) rounds a few
     * times more than {@code Math.exp}, which is within 1 ulp.
     */
    public static final int VECTOR_SIGMOID_ULPS = 4;

    /** The tolerance of a backend's results in {@code p} against the FP64 reference of the same math. */
    public static Tolerance reference(Precision p) {
        return switch (p) {
            case FP64 -> FP64_REORDERED;
            case FP32 -> FP32;
            case TF32 -> TF32;
        };
    }

    /**
     * How closely a peer's (NumPy's, PyTorch's) loss after 1 to 3 steps on the same batch and weights
     * must agree with Nabla's before {@code engine bench} times it, relative: fp64 to rounding; fp32
     * to single precision's error, which the loss's sum over a batch accumulates; tf32 to its 10-bit
     * inputs.
     */
    public static Tolerance peer(Precision p) {
        return switch (p) {
            case FP64 -> new Tolerance(0, 1e-9, "fp64 losses of the same three steps, summed in another order");
            case FP32 -> new Tolerance(0, 1e-4, "fp32 losses, a batch's sum of single-precision terms");
            case TF32 -> new Tolerance(0, 1e-2, "tf32 losses: the products' inputs rounded to 10 bits");
        };
    }

    /** The largest difference allowed at this scale. */
    public double bound(double scale) {
        return absolute + relative * Math.abs(scale);
    }

    /** Whether {@code actual} is within the bound of {@code expected}, on {@code expected}'s own scale; NaN never is. */
    public boolean accepts(double expected, double actual) {
        return Math.abs(actual - expected) <= bound(expected);
    }
}

package dev.nabla.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Sigmoid a vector at a time, with an exponential of its own built only from exactly rounded
 * operations (add, multiply, fused multiply-add, divide, bit shifts). The JDK's vector
 * {@code exp} gives other last bits interpreted than compiled, which would break bit-for-bit
 * reproducibility; these operations give the same bits in every JIT tier and on every CPU.
 *
 * <p>{@code sigmoid(z) = 1 / (1 + e)} for {@code z >= 0} and {@code e / (1 + e)} below, with
 * {@code e = exp(-|z|)} in {@code (0, 1]}, so nothing overflows. {@code exp(x)} for {@code x <= 0}:
 * {@code x = n ln2 + r} with {@code n} the nearest integer to {@code x / ln2} (rounded by adding
 * 1.5 * 2^52, whose low bits then hold {@code n}) and {@code |r| <= ln2 / 2}; {@code exp(r)} by
 * its Taylor polynomial (degree 13 in double, truncation below 1e-17; degree 7 in float, below
 * 1e-8), then times {@code 2^n}, in two factors so that results down to the subnormals stay right.
 * Within a few units in the last place of {@link Math#exp}'s sigmoid.
 */
final class VectorSigmoid {
    private VectorSigmoid() {}

    private static final double LOG2E = 1.4426950408889634;
    /** ln 2 split so that {@code n * LN2_HI} is exact for every {@code n} used. */
    private static final double LN2_HI = 0.6931471803691238;
    private static final double LN2_LO = 1.9082149292705877e-10;
    private static final double SHIFT = 0x1.8p52;
    private static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
    /** Below this {@code exp} is under the smallest subnormal: the result rounds to 0. */
    private static final double MIN_ARG = -746.0;
    /** 1/k! for k = 13 down to 0. */
    private static final double[] TAYLOR = new double[14];

    private static final float LOG2E_F = 1.442695f;
    private static final float LN2_HI_F = 0.693359375f;
    private static final float LN2_LO_F = -2.12194440e-4f;
    private static final float SHIFT_F = 0x1.8p23f;
    private static final int SHIFT_BITS_F = Float.floatToRawIntBits(SHIFT_F);
    private static final float MIN_ARG_F = -104.0f;
    /** 1/k! for k = 7 down to 0. */
    private static final float[] TAYLOR_F = new float[8];

    static {
        double factorial = 1.0;
        for (int k = 0; k < TAYLOR.length; k++) {
            factorial *= Math.max(k, 1);
            TAYLOR[TAYLOR.length - 1 - k] = 1.0 / factorial;
            if (k < TAYLOR_F.length) {
                TAYLOR_F[TAYLOR_F.length - 1 - k] = (float) (1.0 / factorial);
            }
        }
    }

    static DoubleVector sigmoid(DoubleVector z) {
        DoubleVector e = expNonPositive(z.abs().neg());
        DoubleVector d = e.add(1.0);
        VectorMask<Double> negative = z.compare(VectorOperators.LT, 0.0);
        return d.broadcast(1.0).blend(e, negative).div(d);
    }

    static FloatVector sigmoid(FloatVector z) {
        FloatVector e = expNonPositive(z.abs().neg());
        FloatVector d = e.add(1.0f);
        VectorMask<Float> negative = z.compare(VectorOperators.LT, 0.0f);
        return d.broadcast(1.0f).blend(e, negative).div(d);
    }

    /** {@code exp(x)} for {@code x <= 0} (NaN stays NaN). */
    static DoubleVector expNonPositive(DoubleVector x) {
        x = x.max(MIN_ARG);
        DoubleVector t = x.fma(LOG2E, SHIFT);
        DoubleVector n = t.sub(SHIFT);
        DoubleVector r = n.fma(x.broadcast(-LN2_LO), n.fma(x.broadcast(-LN2_HI), x));
        DoubleVector p = x.broadcast(TAYLOR[0]);
        for (int k = 1; k < TAYLOR.length; k++) {
            p = p.fma(r, r.broadcast(TAYLOR[k]));
        }
        LongVector bits = (LongVector) t.viewAsIntegralLanes();
        LongVector whole = bits.sub(SHIFT_BITS);
        LongVector half = whole.lanewise(VectorOperators.ASHR, 1);
        return p.mul(powerOfTwo(half)).mul(powerOfTwo(whole.sub(half)));
    }

    static FloatVector expNonPositive(FloatVector x) {
        x = x.max(MIN_ARG_F);
        FloatVector t = x.fma(LOG2E_F, SHIFT_F);
        FloatVector n = t.sub(SHIFT_F);
        FloatVector r = n.fma(x.broadcast(-LN2_LO_F), n.fma(x.broadcast(-LN2_HI_F), x));
        FloatVector p = x.broadcast(TAYLOR_F[0]);
        for (int k = 1; k < TAYLOR_F.length; k++) {
            p = p.fma(r, r.broadcast(TAYLOR_F[k]));
        }
        IntVector bits = (IntVector) t.viewAsIntegralLanes();
        IntVector whole = bits.sub(SHIFT_BITS_F);
        IntVector half = whole.lanewise(VectorOperators.ASHR, 1);
        return p.mul(powerOfTwo(half)).mul(powerOfTwo(whole.sub(half)));
    }

    /** 2^n for n in the normal exponents. */
    private static DoubleVector powerOfTwo(LongVector n) {
        return (DoubleVector) n.add(1023).lanewise(VectorOperators.LSHL, 52).viewAsFloatingLanes();
    }

    private static FloatVector powerOfTwo(IntVector n) {
        return (FloatVector) n.add(127).lanewise(VectorOperators.LSHL, 23).viewAsFloatingLanes();
    }
}

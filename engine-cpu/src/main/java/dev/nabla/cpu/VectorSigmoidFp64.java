// Generated from engine-cpu/src/main/templates/dev/nabla/cpu/VectorSigmoidFpN.java.template by PrecisionTemplates; edit the template, then run: java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java
package dev.nabla.cpu;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sigmoid of doubles a vector at a time, with an exponential of its own built only from exactly
 * rounded operations (add, multiply, fused multiply-add, divide, bit shifts), in double
 * throughout. The JDK's vector {@code exp} gives other last bits interpreted than compiled, which
 * would break bit-for-bit reproducibility; these operations give the same bits in every JIT tier
 * and on every CPU.
 *
 * <p>{@code sigmoid(z) = 1 / (1 + e)} for {@code z >= 0} and {@code e / (1 + e)} below, with
 * {@code e = exp(-|z|)} in {@code (0, 1]}, so nothing overflows. {@code exp(x)} for {@code x <= 0}:
 * {@code x = n ln2 + r} with {@code n} the nearest integer to {@code x / ln2} (rounded by adding
 * {@code 1.5 * 2^p}, {@code p} the bits of the significand, whose low bits then hold {@code n})
 * and {@code |r| <= ln2 / 2}; {@code exp(r)} by its Taylor polynomial (degree 13 in double,
 * truncation below 1e-17; degree 7 in float, below 1e-8), then times {@code 2^n}, in two factors
 * so that results down to the subnormals stay right. Within a few units in the last place of
 * {@link Math#exp}'s sigmoid.
 */
final class VectorSigmoidFp64 {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;

    private static final double LOG2E = 1.4426950408889634;
    /** ln 2 split so that {@code n * LN2_HI} is exact for every {@code n} used. */
    private static final double LN2_HI = 0.6931471803691238;
    private static final double LN2_LO = 1.9082149292705877e-10;
    /** 1.5 * 2^52. */
    private static final double SHIFT = 0x1.8p52;
    /** Below this {@code exp} is under the smallest subnormal: the result rounds to 0. */
    private static final double MIN_ARG = -746.0;
    private static final int DEGREE = 13;
    /** The exponent's bias, and where the exponent starts in the bits. */
    private static final int EXPONENT_BIAS = 1023;
    private static final int SIGNIFICAND_BITS = 52;
    private static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
    /** 1/k! for k = DEGREE down to 0. */
    private static final double[] TAYLOR = new double[DEGREE + 1];

    static {
        double factorial = 1.0d;
        for (int k = 0; k < TAYLOR.length; k++) {
            factorial *= Math.max(k, 1);
            TAYLOR[TAYLOR.length - 1 - k] = (1.0d / factorial);
        }
    }

    /** Each thread's one vector of scratch, for a range's last, partial vector. */
    private static final ThreadLocal<double[]> TAIL = ThreadLocal.withInitial(() -> new double[SPECIES.length()]);

    private VectorSigmoidFp64() {
    }

    /**
     * {@code a[i] = sigmoid(z[i])} for {@code i} in {@code [from, to)}; {@code a} may be {@code z}.
     * Whole vectors in place; a last, partial one through a vector of scratch (masked loads and
     * stores would cost more, and where the JIT has seen them near an array's end it boxes the
     * whole loop's vectors), computed lane by lane the same way, so that every element is computed
     * the same way however the elements are split.
     */
    static void forward(double[] z, double[] a, int from, int to) {
        int whole = from + SPECIES.loopBound(to - from);
        for (int i = from; i < whole; i += SPECIES.length()) {
            vector(z, a, i);
        }
        if (whole < to) {
            double[] tail = TAIL.get();
            System.arraycopy(z, whole, tail, 0, to - whole);
            vector(tail, tail, 0);
            System.arraycopy(tail, 0, a, whole, to - whole);
        }
    }

    /**
     * Sigmoid of the one vector at {@code z[i ..]} into {@code a[i ..]}. It takes and gives arrays,
     * never vectors: a vector passed to a method that the JIT does not inline is boxed, and its
     * operations then run the Vector API's slow scalar fallback. And the partial last vector calls
     * it directly, not through the loop: a loop compiled for long ranges, then entered for one
     * vector at a time (a small network after a large one), boxed its vectors in its entry code.
     */
    private static void vector(double[] z, double[] a, int i) {
        DoubleVector v = DoubleVector.fromArray(SPECIES, z, i);
        // exp(x) for x = -|z| <= 0, not below MIN_ARG (NaN stays NaN)
        DoubleVector x = v.abs().neg().max(MIN_ARG);
        DoubleVector t = x.fma(LOG2E, SHIFT);
        DoubleVector n = t.sub(SHIFT);
        DoubleVector r = n.fma(x.broadcast(-LN2_LO), n.fma(x.broadcast(-LN2_HI), x));
        DoubleVector p = x.broadcast(TAYLOR[0]);
        for (int k = 1; k < TAYLOR.length; k++) {
            p = p.fma(r, r.broadcast(TAYLOR[k]));
        }
        LongVector whole = t.viewAsIntegralLanes().sub(SHIFT_BITS);
        LongVector half = whole.lanewise(VectorOperators.ASHR, 1);
        // 2^n as two factors 2^half * 2^(n - half), each a normal number
        DoubleVector scale1 = half.add(EXPONENT_BIAS).lanewise(VectorOperators.LSHL, SIGNIFICAND_BITS)
                .viewAsFloatingLanes();
        DoubleVector scale2 = whole.sub(half).add(EXPONENT_BIAS).lanewise(VectorOperators.LSHL, SIGNIFICAND_BITS)
                .viewAsFloatingLanes();
        DoubleVector e = p.mul(scale1).mul(scale2);
        DoubleVector d = e.add(1.0);
        VectorMask<Double> negative = v.compare(VectorOperators.LT, 0.0);
        d.broadcast(1.0).blend(e, negative).div(d).intoArray(a, i);
    }
}

package dev.nabla.cuda;

import dev.nabla.backend.Precision;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Host arrays into and out of the device's element format, a staging buffer at a time: Java
 * {@code double[]} or {@code float[]} on one side, FP64 or FP32 (and TF32, stored as FP32) on the
 * other. A same-format copy is a bulk put or get; across formats each element converts (a double
 * rounds to the nearest float).
 */
final class HostFormat {
    private HostFormat() {}

    /** Stages {@code src[offset ..]} in the device's format. */
    static Transfers.Stager from(double[] src, int offset, Precision device) {
        if (device == Precision.FP64) {
            return (buf, from, len) -> buf.asDoubleBuffer().put(src, offset + from, len);
        }
        return (buf, from, len) -> {
            FloatBuffer f = buf.asFloatBuffer();
            for (int i = 0; i < len; i++) {
                f.put(i, (float) src[offset + from + i]);
            }
        };
    }

    /** Stages {@code src[offset ..]} in the device's format. */
    static Transfers.Stager from(float[] src, int offset, Precision device) {
        if (device != Precision.FP64) {
            return (buf, from, len) -> buf.asFloatBuffer().put(src, offset + from, len);
        }
        return (buf, from, len) -> {
            DoubleBuffer d = buf.asDoubleBuffer();
            for (int i = 0; i < len; i++) {
                d.put(i, src[offset + from + i]);
            }
        };
    }

    /** Copies staged elements in the device's format into {@code dst[offset ..]}. */
    static Transfers.Unstager into(double[] dst, int offset, Precision device) {
        if (device == Precision.FP64) {
            return (buf, from, len) -> buf.asDoubleBuffer().get(dst, offset + from, len);
        }
        return (buf, from, len) -> {
            FloatBuffer f = buf.asFloatBuffer();
            for (int i = 0; i < len; i++) {
                dst[offset + from + i] = f.get(i);
            }
        };
    }

    /** Copies staged elements in the device's format into {@code dst[offset ..]}. */
    static Transfers.Unstager into(float[] dst, int offset, Precision device) {
        if (device != Precision.FP64) {
            return (buf, from, len) -> buf.asFloatBuffer().get(dst, offset + from, len);
        }
        return (buf, from, len) -> {
            DoubleBuffer d = buf.asDoubleBuffer();
            for (int i = 0; i < len; i++) {
                dst[offset + from + i] = (float) d.get(i);
            }
        };
    }
}

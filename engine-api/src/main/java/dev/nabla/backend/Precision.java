package dev.nabla.backend;

import dev.nabla.InputException;
import java.util.Locale;

/**
 * The floating-point format a backend stores and computes in. FP64 is the reference; FP32 is an
 * opt-in speed mode whose results agree with FP64 to about single precision (1e-5 relative).
 * TF32 stores FP32 but lets NVIDIA tensor cores (compute capability 8.0 and newer) take the
 * matrix products' inputs at TF32's 10-bit mantissa; its results agree with FP64 to about 1e-3
 * relative. Only the CUDA backend with cuBLAS offers it.
 */
public enum Precision {
    /** IEEE double precision, 8 bytes: the reference every other format is checked against. */
    FP64(8),
    /** IEEE single precision, 4 bytes. */
    FP32(4),
    /** FP32 storage; matrix products on tensor cores round their inputs to TF32's 10-bit mantissa. */
    TF32(4);

    private final int bytes;

    Precision(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** The name used on the command line: {@code fp64}, {@code fp32}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The precision named {@code id} ({@code fp64}, {@code fp32}, {@code tf32}); another name is an {@link InputException}. */
    public static Precision parse(String id) {
        for (Precision p : values()) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        throw new InputException("unknown precision '" + id + "' (known: fp64, fp32, tf32)");
    }
}

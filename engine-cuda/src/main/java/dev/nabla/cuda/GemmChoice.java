package dev.nabla.cuda;

import dev.nabla.InputException;
import java.util.Locale;

/**
 * Which GEMM serves matrix products: {@code auto} takes cuBLAS where it loads and Nabla's own
 * kernels otherwise; {@code cublas} and {@code kernels} insist. Chosen with the system property
 * {@code nabla.cuda.gemm} (default {@code auto}); the tests use it to cover both paths.
 */
enum GemmChoice {
    AUTO,
    CUBLAS,
    KERNELS;

    static final String PROPERTY = "nabla.cuda.gemm";

    static GemmChoice fromSystemProperty() {
        String v = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        for (GemmChoice c : values()) {
            if (c.name().toLowerCase(Locale.ROOT).equals(v)) {
                return c;
            }
        }
        throw new InputException("-D" + PROPERTY + "=" + v + " is not one of auto, cublas, kernels");
    }
}

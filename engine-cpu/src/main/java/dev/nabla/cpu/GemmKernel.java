package dev.nabla.cpu;

import dev.nabla.InputException;
import java.util.Locale;

/**
 * A CPU matrix product {@code c = alpha * op(a) * op(b) + beta * c}, row-major, {@code op(a)}
 * {@code m x k}: the plain loops of {@link Gemm} (always there, the oracle of the fast one), or
 * the Vector API kernel {@link VectorGemm} where the JVM has the module
 * {@code jdk.incubator.vector}. Chosen with the system property {@code nabla.cpu.gemm}
 * ({@code auto}, the default: the vectorized one where it can run; {@code plain}; {@code vector}).
 */
interface GemmKernel {

    void fp64(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, double[] a,
            double[] b, double beta, double[] c);

    void fp32(Parallel par, boolean transA, boolean transB, int m, int n, int k, double alpha, float[] a,
            float[] b, double beta, float[] c);

    /** What it is, for the backend's description. */
    String description();

    String PROPERTY = "nabla.cpu.gemm";

    /** Whether this JVM was started with the Vector API module. */
    static boolean vectorApi() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The kernel {@code nabla.cpu.gemm} asks for. */
    static GemmKernel choose() {
        String want = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (want) {
            case "plain":
                return Gemm.KERNEL;
            case "auto":
            case "vector":
                if (vectorApi()) {
                    try {
                        // By name, so that a JVM without the module never loads a class that needs it.
                        return (GemmKernel) Class.forName("dev.nabla.cpu.VectorGemmKernel").getDeclaredConstructor()
                                .newInstance();
                    } catch (ReflectiveOperationException | LinkageError e) {
                        if (want.equals("vector")) {
                            throw new InputException("the vectorized GEMM cannot be loaded: " + e);
                        }
                    }
                } else if (want.equals("vector")) {
                    throw new InputException("-D" + PROPERTY + "=vector needs the JVM started with "
                            + "--add-modules jdk.incubator.vector");
                }
                return Gemm.KERNEL;
            default:
                throw new InputException("-D" + PROPERTY + "=" + want + " is not one of auto, plain, vector");
        }
    }
}

package dev.nabla.cpu;

import dev.nabla.InputException;
import java.util.Locale;

/**
 * The inner loops a CPU backend runs: plain Java everywhere ({@link PlainGemm},
 * {@link PlainActivations}, {@link PlainOptimizer}), or Vector API kernels ({@link VectorGemm},
 * {@link VectorActivations}, {@link VectorOptimizer})
 * where the JVM was started with {@code --add-modules jdk.incubator.vector}. The system property
 * {@code nabla.cpu.kernels} chooses: {@code auto} (the default: vector where it can run),
 * {@code plain}, or {@code vector} (an error without the module). The plain loops stay the oracle
 * the vector ones are tested against. The kernels hold scratch buffers, so each backend has its
 * own.
 */
record CpuKernels(CpuGemm gemm, CpuActivations activations, CpuOptimizer optimizer) {
    static final String PROPERTY = "nabla.cpu.kernels";

    /** New plain-loop kernels. */
    static CpuKernels plain() {
        return new CpuKernels(new PlainGemm(), new PlainActivations(), new PlainOptimizer());
    }

    /** Whether this JVM was started with the Vector API module. */
    static boolean vectorApi() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** New kernels of the kind {@value #PROPERTY} asks for. */
    static CpuKernels choose() {
        String want = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (want) {
            case "plain":
                return plain();
            case "auto":
            case "vector":
                if (!vectorApi()) {
                    if (want.equals("vector")) {
                        throw new InputException("-D" + PROPERTY + "=vector needs the JVM started with "
                                + "--add-modules jdk.incubator.vector");
                    }
                    return plain();
                }
                try {
                    // By name, so that a JVM without the module never loads a class that needs it.
                    return new CpuKernels(
                            (CpuGemm) create("dev.nabla.cpu.VectorGemm"),
                            (CpuActivations) create("dev.nabla.cpu.VectorActivations"),
                            (CpuOptimizer) create("dev.nabla.cpu.VectorOptimizer"));
                } catch (ReflectiveOperationException | LinkageError e) {
                    if (want.equals("vector")) {
                        throw new InputException("the Vector API kernels cannot be loaded: " + e);
                    }
                    return plain();
                }
            default:
                throw new InputException("-D" + PROPERTY + "=" + want + " is not one of auto, plain, vector");
        }
    }

    private static Object create(String name) throws ReflectiveOperationException {
        return Class.forName(name).getDeclaredConstructor().newInstance();
    }

    String description() {
        return gemm.description();
    }
}

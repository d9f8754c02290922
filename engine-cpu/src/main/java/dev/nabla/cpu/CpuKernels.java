package dev.nabla.cpu;

import dev.nabla.InputException;
import java.util.Locale;

/**
 * The inner loops the CPU backend runs: plain Java everywhere, or Vector API kernels where the JVM
 * was started with {@code --add-modules jdk.incubator.vector}. The system property
 * {@code nabla.cpu.kernels} chooses: {@code auto} (the default: vector where it can run),
 * {@code plain}, or {@code vector} (an error without the module). The plain loops stay the
 * oracle the vector ones are tested against.
 */
record CpuKernels(GemmKernel gemm, ElementKernel elements) {
    static final String PROPERTY = "nabla.cpu.kernels";
    static final CpuKernels PLAIN = new CpuKernels(Gemm.KERNEL, ElementKernel.PLAIN);

    /** Whether this JVM was started with the Vector API module. */
    static boolean vectorApi() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    static CpuKernels choose() {
        String want = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (want) {
            case "plain":
                return PLAIN;
            case "auto":
            case "vector":
                if (!vectorApi()) {
                    if (want.equals("vector")) {
                        throw new InputException("-D" + PROPERTY + "=vector needs the JVM started with "
                                + "--add-modules jdk.incubator.vector");
                    }
                    return PLAIN;
                }
                try {
                    // By name, so that a JVM without the module never loads a class that needs it.
                    return new CpuKernels((GemmKernel) create("dev.nabla.cpu.VectorGemmKernel"),
                            (ElementKernel) create("dev.nabla.cpu.VectorElements"));
                } catch (ReflectiveOperationException | LinkageError e) {
                    if (want.equals("vector")) {
                        throw new InputException("the Vector API kernels cannot be loaded: " + e);
                    }
                    return PLAIN;
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

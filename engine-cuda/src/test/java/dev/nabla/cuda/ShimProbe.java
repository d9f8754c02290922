package dev.nabla.cuda;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;

/**
 * Run by {@link CublasShimTest} in a JVM whose library path holds the forwarding libcublas.so.12
 * and a stand-in libcublas.so.13: prints what JCublas2 sees through them.
 */
public final class ShimProbe {
    private ShimProbe() {}

    public static void main(String[] args) {
        System.out.println("version " + CublasGemm.probeVersion());
        JCublas2.setExceptionsEnabled(false);
        int status = JCublas2.cublasSgemm(
                new cublasHandle(),
                0,
                0,
                1,
                1,
                1,
                Pointer.to(new float[1]),
                new Pointer(),
                1,
                new Pointer(),
                1,
                Pointer.to(new float[1]),
                new Pointer(),
                1);
        System.out.println("missing function status " + status);
    }
}

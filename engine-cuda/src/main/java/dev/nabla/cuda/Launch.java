package dev.nabla.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

/** Kernel launches: argument packing and the grid of the 1-D kernels. */
final class Launch {
    /** Threads per block of the elementwise and reduction kernels; NABLA_BLOCK in common.cuh. */
    static final int BLOCK = 256;
    /**
     * Most blocks an elementwise launch uses. The kernels loop over their elements (grid-stride),
     * so fewer blocks than elements is correct; 8192 blocks of 256 threads fill any current GPU.
     */
    private static final int MAX_BLOCKS = 8192;

    /** A null device pointer argument (an optional buffer that is absent). */
    static final Object NULL = new Object();

    private Launch() {}

    /** {@code ceil(a / b)} for positive {@code a} and {@code b}: the blocks that cover {@code a} items {@code b} at a time. */
    static int ceilDiv(int a, int b) {
        return (int) (((long) a + b - 1) / b);
    }

    /** Blocks for a grid-stride kernel over {@code n} elements. */
    static int blocksFor(long n) {
        return (int) Math.max(1, Math.min(MAX_BLOCKS, (n + BLOCK - 1) / BLOCK));
    }

    /** A 1-D launch of {@link #BLOCK} threads per block. */
    static void linear(CUfunction f, CUstream stream, int blocks, Object... args) {
        kernel(f, stream, blocks, 1, BLOCK, 1, args);
    }

    /**
     * Launches {@code f} with the arguments in order: {@link Integer} as int, {@link Double} as
     * double, {@link Float} as float, {@link CUdeviceptr} as a device pointer, {@link #NULL} as a null
     * device pointer.
     */
    static void kernel(CUfunction f, CUstream stream, int gridX, int gridY, int blockX, int blockY, Object... args) {
        NativePointerObject[] params = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Integer v) {
                params[i] = Pointer.to(new int[] {v});
            } else if (a instanceof Double v) {
                params[i] = Pointer.to(new double[] {v});
            } else if (a instanceof Float v) {
                params[i] = Pointer.to(new float[] {v});
            } else if (a instanceof CUdeviceptr p) {
                params[i] = Pointer.to(p);
            } else if (a == NULL) {
                params[i] = Pointer.to(new long[] {0L});
            } else {
                throw new IllegalArgumentException("kernel argument " + i + " of type " + a.getClass());
            }
        }
        cuLaunchKernel(f, gridX, gridY, 1, blockX, blockY, 1, 0, stream, Pointer.to(params), null);
    }
}

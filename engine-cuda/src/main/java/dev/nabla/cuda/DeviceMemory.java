package dev.nabla.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;

/**
 * A CUDA backend's device memory: its matrices (in allocation order), and the scratch memory its
 * reductions share, grown as they need. Running out of memory is reported with the bytes asked
 * for and the bytes free. Used on the CUDA thread only.
 */
final class DeviceMemory {
    private final CUstream stream;
    private final Set<DeviceMatrix> live = new LinkedHashSet<>();
    private CUdeviceptr scratch;
    private long scratchBytes;
    /** Scratch outgrown while a graph was being captured: a captured graph may still use it, so it is freed at close. */
    private final List<CUdeviceptr> retiredScratch = new ArrayList<>();

    /** Memory whose frees wait for the work queued on {@code stream}. */
    DeviceMemory(CUstream stream) {
        this.stream = stream;
    }

    /** cuMemAlloc that reports running out of memory with the bytes asked for and the bytes free. */
    static CUdeviceptr allocate(long bytes, String what) {
        CUdeviceptr p = new CUdeviceptr();
        try {
            cuMemAlloc(p, bytes);
        } catch (CudaException e) {
            if (String.valueOf(e.getMessage()).contains("CUDA_ERROR_OUT_OF_MEMORY")) {
                long[] free = new long[1];
                long[] total = new long[1];
                cuMemGetInfo(free, total);
                throw new DeviceMemoryException(bytes, free[0], total[0], what);
            }
            throw e;
        }
        return p;
    }

    /** Records a matrix allocated on the device, to be freed at the latest when the backend closes. */
    void add(DeviceMatrix d) {
        live.add(d);
    }

    /** Every matrix still allocated, oldest first. */
    Set<DeviceMatrix> matrices() {
        return live;
    }

    /** Frees {@code d} once no queued kernel can use it; false when it was already freed. */
    boolean free(DeviceMatrix d, Transfers transfers) {
        if (!live.remove(d)) {
            return false;
        }
        transfers.forget(d);
        cuStreamSynchronize(stream); // no queued kernel may still use it
        cuMemFree(d.ptr);
        return true;
    }

    /**
     * Scratch memory of at least {@code bytes}, shared by the reductions (one stream orders them).
     * Outgrown scratch is freed at once, unless a graph is being captured that may use it.
     */
    CUdeviceptr scratch(long bytes, boolean capturing) {
        if (bytes > scratchBytes) {
            if (scratch != null && capturing) {
                retiredScratch.add(scratch); // the graph being captured may use it; freed at close
            } else if (scratch != null) {
                cuStreamSynchronize(stream);
                cuMemFree(scratch);
            }
            scratch = null;
            scratchBytes = 0;
            scratch = allocate(bytes, "reduction scratch");
            scratchBytes = bytes;
        }
        return scratch;
    }

    /**
     * The steps that free everything, to run after every graph that may use the memory is gone:
     * retired scratch, then the matrices newest first, then the scratch. Forgets it all.
     */
    List<Runnable> freeAll(Transfers transfers) {
        List<Runnable> steps = new ArrayList<>();
        for (CUdeviceptr p : retiredScratch) {
            steps.add(() -> cuMemFree(p));
        }
        retiredScratch.clear();
        List<DeviceMatrix> newestFirst = new ArrayList<>(live);
        for (int i = newestFirst.size() - 1; i >= 0; i--) {
            DeviceMatrix d = newestFirst.get(i);
            steps.add(() -> transfers.forget(d));
            steps.add(() -> cuMemFree(d.ptr));
        }
        live.clear();
        if (scratch != null) {
            CUdeviceptr s = scratch;
            steps.add(() -> cuMemFree(s));
            scratch = null;
            scratchBytes = 0;
        }
        return steps;
    }
}

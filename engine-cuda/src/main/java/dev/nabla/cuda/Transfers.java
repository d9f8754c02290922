package dev.nabla.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

import java.nio.ByteBuffer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * Copies between host and device, so that a micro-batch's upload overlaps the computation of
 * the one before. Uploads run on their own copy stream through two pinned staging buffers used
 * in turn; downloads run on the compute stream. Two orderings keep it correct:
 * <ul>
 *   <li>an upload waits (on the device) for every kernel queued before it, which may still read
 *       the matrix it overwrites;
 *   <li>the compute stream waits for a matrix's last upload before the first operation that
 *       touches it ({@link #ready}).
 * </ul>
 * The host waits only when a staging buffer's previous copy has not left it yet. Used on the
 * CUDA thread only.
 */
final class Transfers implements AutoCloseable {
    /** Largest piece of one copy; bounds the pinned staging memory. */
    static final long CHUNK_BYTES = 32L << 20;

    /** Fills a staging buffer with elements {@code from .. from + len - 1} of the source, in device format. */
    interface Stager {
        void stage(ByteBuffer buffer, int from, int len);
    }

    /** Copies staged elements {@code from .. from + len - 1} out to the destination. */
    interface Unstager {
        void unstage(ByteBuffer buffer, int from, int len);
    }

    private final CUstream compute;
    private final int elementBytes;
    private final CUstream copy = new CUstream();
    private final PinnedBuffer[] up = {new PinnedBuffer(), new PinnedBuffer()};
    private final CUevent[] upFree = {new CUevent(), new CUevent()};
    private final CUevent computeMark = new CUevent();
    private final PinnedBuffer down = new PinnedBuffer();
    private int next;

    Transfers(CUstream compute, int elementBytes) {
        this.compute = compute;
        this.elementBytes = elementBytes;
        cuStreamCreate(copy, CUstream_flags.CU_STREAM_NON_BLOCKING);
        for (CUevent e : new CUevent[] {upFree[0], upFree[1], computeMark}) {
            cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        }
    }

    void upload(DeviceMatrix d, Stager stager) {
        DeviceMatrix.Storage s = d.storage;
        if (s.uploaded == null) {
            s.uploaded = new CUevent();
            cuEventCreate(s.uploaded, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        }
        // Kernels queued so far may still read what this upload overwrites: the copy waits for them.
        cuEventRecord(computeMark, compute);
        cuStreamWaitEvent(copy, computeMark, 0);
        int chunk = (int) (CHUNK_BYTES / elementBytes);
        for (int from = 0; from < d.elementCount(); from += chunk) {
            int len = Math.min(chunk, d.elementCount() - from);
            int i = next;
            next = 1 - next;
            cuEventSynchronize(upFree[i]); // this staging buffer's previous copy has left it
            stager.stage(up[i].get((long) len * elementBytes), from, len);
            cuMemcpyHtoDAsync(
                    d.ptr.withByteOffset((long) from * elementBytes), up[i].pointer(), (long) len * elementBytes, copy);
            cuEventRecord(upFree[i], copy);
        }
        cuEventRecord(s.uploaded, copy);
        s.pending = true;
    }

    /** Makes the compute stream wait for the uploads still under way into these matrices. */
    void ready(DeviceMatrix... matrices) {
        for (DeviceMatrix m : matrices) {
            DeviceMatrix.Storage s = m.storage;
            if (s.pending) {
                cuStreamWaitEvent(compute, s.uploaded, 0);
                s.pending = false;
            }
        }
    }

    void download(DeviceMatrix s, Unstager unstager) {
        ready(s);
        int chunk = (int) (CHUNK_BYTES / elementBytes);
        for (int from = 0; from < s.elementCount(); from += chunk) {
            int len = Math.min(chunk, s.elementCount() - from);
            ByteBuffer buf = down.get((long) len * elementBytes);
            cuMemcpyDtoHAsync(
                    down.pointer(),
                    s.ptr.withByteOffset((long) from * elementBytes),
                    (long) len * elementBytes,
                    compute);
            cuStreamSynchronize(compute);
            unstager.unstage(buf, from, len);
        }
    }

    /** Before a matrix's memory is freed: no copy into it may still be under way; its event goes. */
    void forget(DeviceMatrix d) {
        if (d.storage.uploaded != null) {
            cuEventSynchronize(d.storage.uploaded);
            cuEventDestroy(d.storage.uploaded);
            d.storage.uploaded = null;
            d.storage.pending = false;
        }
    }

    /** Waits for both streams. */
    void synchronize() {
        cuStreamSynchronize(copy);
        cuStreamSynchronize(compute);
    }

    @Override
    public void close() {
        cuStreamSynchronize(copy);
        down.close();
        up[0].close();
        up[1].close();
        for (CUevent e : new CUevent[] {upFree[0], upFree[1], computeMark}) {
            cuEventDestroy(e);
        }
        cuStreamDestroy(copy);
    }
}

package dev.nabla.cuda;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;

/**
 * Page-locked host memory through which data moves to and from the device: copies from pinned
 * memory run asynchronously at full bus speed. Grows to the largest transfer chunk it has been
 * asked for and is reused; freed on close. Used on the CUDA thread only.
 */
final class PinnedBuffer implements AutoCloseable {
    private Pointer host;
    private ByteBuffer buffer;
    private long capacity;

    /** The buffer, at least {@code bytes} long, positioned at 0, in native byte order. */
    ByteBuffer get(long bytes) {
        if (bytes > capacity) {
            close();
            long size = Math.max(bytes, Math.min(2 * capacity, Transfers.CHUNK_BYTES));
            host = new Pointer();
            cuMemAllocHost(host, size);
            capacity = size;
            buffer = host.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
        }
        buffer.clear();
        return buffer;
    }

    Pointer pointer() {
        return host;
    }

    @Override
    public void close() {
        if (host != null) {
            cuMemFreeHost(host);
            host = null;
            buffer = null;
            capacity = 0;
        }
    }
}

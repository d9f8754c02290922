package dev.nabla.cuda;

import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphGetNodes;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;

import dev.nabla.backend.Recording;
import jcuda.CudaException;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUgraphNode;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;

/**
 * A step recorded as a CUDA graph: the kernels and cuBLAS calls that one training step queues,
 * captured from the compute stream once and then launched with one {@code cuGraphLaunch} a step,
 * instead of one launch (and one hand-over to the CUDA thread) per operation. The graph keeps the
 * arguments it was captured with, so it is replayed on the same matrices; their contents may change.
 */
final class GraphRecording implements Recording {
    private final CudaBackend backend;
    private final CUstream stream;
    private final CUgraphExec exec;
    private final long nodes;
    private boolean closed;

    private GraphRecording(CudaBackend backend, CUstream stream, CUgraphExec exec, long nodes) {
        this.backend = backend;
        this.stream = stream;
        this.exec = exec;
        this.nodes = nodes;
    }

    /**
     * Captures what {@code body} queues on {@code stream} (on the CUDA thread, nothing else queued
     * on the stream meanwhile). Capture is relaxed: the thread may still make calls that are
     * unsafe during a global capture, such as allocating scratch memory.
     *
     * @throws CudaException when the driver cannot capture or instantiate it; the stream is out of
     *     capture mode again
     */
    static GraphRecording capture(CudaBackend backend, CUstream stream, Runnable body) {
        cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_RELAXED);
        CUgraph graph = new CUgraph();
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            try {
                cuStreamEndCapture(stream, graph); // ends the (now invalid) capture, so the stream works again
                cuGraphDestroy(graph);
            } catch (CudaException ignored) {
                // the capture was invalidated: there is no graph to destroy
            }
            throw e;
        }
        cuStreamEndCapture(stream, graph);
        try {
            long[] count = new long[1];
            cuGraphGetNodes(graph, (CUgraphNode[]) null, count);
            CUgraphExec exec = new CUgraphExec();
            cuGraphInstantiate(exec, graph, 0);
            return new GraphRecording(backend, stream, exec, count[0]);
        } finally {
            cuGraphDestroy(graph);
        }
    }

    /** Operations in the graph, for reports. */
    long nodes() {
        return nodes;
    }

    @Override
    public void replay() {
        backend.replay(this);
    }

    /** Launches the graph; on the CUDA thread, after the stream has waited for pending uploads. */
    void launch() {
        if (closed) {
            throw new IllegalStateException("the recording is closed");
        }
        cuGraphLaunch(exec, stream);
    }

    @Override
    public void close() {
        backend.forget(this);
    }

    /** Frees the graph; on the CUDA thread, once. */
    void destroy() {
        if (!closed) {
            closed = true;
            cuGraphExecDestroy(exec);
        }
    }
}

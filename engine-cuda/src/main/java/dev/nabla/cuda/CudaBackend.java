package dev.nabla.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Recording;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * The CUDA backend: matrices in device memory, products through cuBLAS or Nabla's GEMM kernel,
 * everything else through Nabla's kernels, all queued on one non-blocking compute stream from the
 * {@link CudaThread}. Uploads go through {@link Transfers} on a copy stream that overlaps the
 * computation; nothing copies back to the host unless asked: a training step's only transfer back
 * is its loss, one number.
 *
 * <p>Closing the backend frees every matrix it allocated (newest first), its scratch memory,
 * staging buffers, cuBLAS handle, events and streams.
 */
final class CudaBackend extends Backend {
    /** Most blocks of the loss reduction's first stage; the limit mse.cu states. */
    private static final int MSE_MAX_BLOCKS = 1024;
    /** Row chunks of the bias-gradient reduction: at least 64 rows each, at most 1024 chunks (bias.cu). */
    private static final int BIAS_MIN_CHUNK_ROWS = 64;
    private static final int BIAS_MAX_CHUNKS = 1024;

    private final CudaRuntime runtime;
    private final Precision precision;
    private final int elementBytes;
    private final KernelSet kernels;
    private final CUstream stream = new CUstream();
    private final Transfers transfers;
    private final Set<DeviceMatrix> live = new LinkedHashSet<>();
    private final GemmEngine gemm;
    private CUdeviceptr scratch;
    private long scratchBytes;
    /** Scratch outgrown while a graph was being captured: a captured graph may still use it, so it is freed at close. */
    private final List<CUdeviceptr> retiredScratch = new ArrayList<>();
    private final Set<GraphRecording> graphs = new LinkedHashSet<>();
    /** Whether the compute stream is being captured into a graph now. */
    private volatile boolean capturing;
    /** Why the last capture failed, if it did (then steps replay operation by operation); for reports. */
    private String graphProblem;

    /** Opens the backend; runs on the CUDA thread. */
    CudaBackend(CudaRuntime runtime, Precision precision, GemmChoice choice) {
        this.runtime = runtime;
        this.precision = precision;
        this.elementBytes = precision.bytes();
        this.kernels = new KernelSet(runtime.kernels, precision);
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        Transfers t = null;
        try {
            t = new Transfers(stream, elementBytes);
            boolean cublas = choice == GemmChoice.CUBLAS || (choice == GemmChoice.AUTO && runtime.cublasProblem == null);
            gemm = cublas ? new CublasGemm(precision, stream, runtime.cublasVersion)
                    : new KernelGemm(kernels, precision, stream,
                            choice == GemmChoice.KERNELS ? "chosen with -D" + GemmChoice.PROPERTY + "=kernels"
                                    : "cuBLAS not loadable: " + runtime.cublasProblem);
        } catch (RuntimeException | Error e) {
            if (t != null) {
                t.close();
            }
            cuStreamDestroy(stream);
            throw e;
        }
        transfers = t;
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Precision precision() {
        return precision;
    }

    @Override
    public String description() {
        return "CUDA on " + runtime.deviceName + " (compute capability " + runtime.computeCapability / 10 + "."
                + runtime.computeCapability % 10 + "), " + precision.id() + ", matrix products by " + gemm.description()
                + (graphProblem == null ? "" : "; steps not recorded as CUDA graphs: " + graphProblem);
    }

    private static DeviceMatrix m(Matrix x) {
        return (DeviceMatrix) x;
    }

    /**
     * Operations that cannot be part of a recorded graph refuse to run while one is captured. The
     * body being recorded runs on the CUDA thread, and a backend is used from one thread at a time,
     * so the check can run on the caller's thread.
     */
    private void notCapturing(String op) {
        if (capturing) {
            throw new IllegalStateException("cuda " + op + " cannot be recorded: a recorded body only queues operations");
        }
    }

    /**
     * Runs {@code body} on the CUDA thread after the compute stream has waited for any upload
     * into {@code touched}; a CUDA error becomes a {@link CudaFailure} naming the operation.
     */
    private void exec(String op, Runnable body, Matrix... touched) {
        try {
            CudaThread.run(() -> {
                for (Matrix x : touched) {
                    transfers.ready(m(x));
                }
                body.run();
            });
        } catch (CudaException e) {
            throw new CudaFailure("cuda " + op + " on " + touched[0].shape() + " (" + precision.id() + "): "
                    + e.getMessage(), e);
        }
    }

    /** cuMemAlloc that reports running out of memory with the bytes asked for and the bytes free. */
    private CUdeviceptr alloc(long bytes, String what) {
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

    @Override
    protected Matrix doAllocate(int rows, int cols) {
        notCapturing("allocate");
        long bytes = (long) rows * cols * elementBytes;
        try {
            return CudaThread.call(() -> {

                CUdeviceptr p = alloc(bytes, "a " + rows + "x" + cols + " " + precision.id() + " matrix");
                DeviceMatrix d = new DeviceMatrix(this, rows, cols, new DeviceMatrix.Storage(p), false);
                live.add(d);
                return d;
            });
        } catch (CudaException e) {
            throw new CudaFailure("cuda allocate " + rows + "x" + cols + ": " + e.getMessage(), e);
        }
    }

    /** Frees a matrix this backend allocated; a second free, or one after the backend closed, does nothing. */
    void free(DeviceMatrix d) {
        if (isClosed()) {
            return;
        }
        notCapturing("free");
        exec("free", () -> {
            if (live.remove(d)) {
                transfers.forget(d);
                cuStreamSynchronize(stream); // no queued kernel may still use it
                cuMemFree(d.ptr);
            }
        }, d);
    }

    @Override
    protected void doUpload(double[] src, int offset, Matrix dst) {
        notCapturing("upload");
        exec("upload", () -> transfers.upload(m(dst), (buf, from, len) -> {
            if (precision == Precision.FP64) {
                buf.asDoubleBuffer().put(src, offset + from, len);
            } else {
                FloatBuffer f = buf.asFloatBuffer();
                for (int i = 0; i < len; i++) {
                    f.put(i, (float) src[offset + from + i]);
                }
            }
        }), dst);
    }

    @Override
    protected void doUpload(float[] src, int offset, Matrix dst) {
        notCapturing("upload");
        exec("upload", () -> transfers.upload(m(dst), (buf, from, len) -> {
            if (precision != Precision.FP64) {
                buf.asFloatBuffer().put(src, offset + from, len);
            } else {
                DoubleBuffer d = buf.asDoubleBuffer();
                for (int i = 0; i < len; i++) {
                    d.put(i, src[offset + from + i]);
                }
            }
        }), dst);
    }

    @Override
    protected void doDownload(Matrix src, double[] dst, int offset) {
        notCapturing("download");
        exec("download", () -> transfers.download(m(src), (buf, from, len) -> {
            if (precision == Precision.FP64) {
                buf.asDoubleBuffer().get(dst, offset + from, len);
            } else {
                FloatBuffer f = buf.asFloatBuffer();
                for (int i = 0; i < len; i++) {
                    dst[offset + from + i] = f.get(i);
                }
            }
        }), src);
    }

    @Override
    protected void doDownload(Matrix src, float[] dst, int offset) {
        notCapturing("download");
        exec("download", () -> transfers.download(m(src), (buf, from, len) -> {
            if (precision != Precision.FP64) {
                buf.asFloatBuffer().get(dst, offset + from, len);
            } else {
                DoubleBuffer d = buf.asDoubleBuffer();
                for (int i = 0; i < len; i++) {
                    dst[offset + from + i] = (float) d.get(i);
                }
            }
        }), src);
    }

    @Override
    protected void doGemm(boolean transA, boolean transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        int k = transA ? a.rows() : a.cols();
        try {
            CudaThread.run(() -> {
                transfers.ready(m(a), m(b), m(c));
                gemm.gemm(transA, transB, c.rows(), c.cols(), k, alpha, m(a).ptr, a.cols(), m(b).ptr, b.cols(), beta,
                        m(c).ptr, c.cols());
            });
        } catch (CudaException | CudaFailure e) {
            throw new CudaFailure("cuda gemm m=" + c.rows() + " n=" + c.cols() + " k=" + k + " transA=" + transA
                    + " transB=" + transB + " (" + precision.id() + ", " + gemm.description() + "): " + e.getMessage(), e);
        }
    }

    @Override
    protected void doActivationForward(Activation f, Matrix z, Matrix a) {
        int n = m(z).n();
        exec(f.id() + " forward", () -> Launch.linear(kernels.forward[f.ordinal()], stream, Launch.blocksFor(n),
                KernelArgs.activationForward(n, m(z).ptr, m(a).ptr)), z, a);
    }

    @Override
    protected void doActivationBackward(Activation f, Matrix a, Matrix g, Matrix delta) {
        int n = m(a).n();
        exec(f.id() + " backward", () -> Launch.linear(kernels.backward[f.ordinal()], stream, Launch.blocksFor(n),
                KernelArgs.activationBackward(n, m(a).ptr, m(g).ptr, m(delta).ptr)), a, g, delta);
    }

    @Override
    protected void doMseLoss(Matrix output, Matrix target, int count, Matrix delta, double beta, Matrix loss) {
        int n = m(output).n();
        // The first stage's block count depends on n only, so the sum's order is the same on every GPU.
        int blocks = (int) Math.min(MSE_MAX_BLOCKS, ((long) n + Launch.BLOCK - 1) / Launch.BLOCK);
        double scale = 1.0 / count;
        exec("mse loss", () -> {
            CUdeviceptr partial = scratch((long) blocks * Double.BYTES);
            Launch.linear(kernels.mseForward, stream, blocks,
                    KernelArgs.mseForward(precision, n, scale, m(output).ptr, m(target).ptr, m(delta).ptr, partial));
            Launch.linear(kernels.mseFinish, stream, 1, KernelArgs.mseFinish(blocks, scale, beta, partial, m(loss).ptr));
        }, output, target, delta, loss);
    }

    @Override
    protected void doAddBias(Matrix bias, Matrix z) {
        int rows = z.rows();
        int cols = z.cols();
        exec("add bias", () -> Launch.linear(kernels.biasForward, stream, Launch.blocksFor((long) rows * cols),
                KernelArgs.biasForward(rows, cols, m(bias).ptr, m(z).ptr)), z, bias);
    }

    @Override
    protected void doBiasGradient(Matrix delta, double beta, Matrix grad) {
        int rows = delta.rows();
        int cols = delta.cols();
        // Fixed by the shape alone, so every sum runs in the same order on every GPU.
        int chunks = Math.min(BIAS_MAX_CHUNKS, KernelGemm.ceilDiv(rows, BIAS_MIN_CHUNK_ROWS));
        int rowsPerChunk = KernelGemm.ceilDiv(rows, chunks);
        exec("bias gradient", () -> {
            CUdeviceptr partial = scratch((long) chunks * cols * Double.BYTES);
            // Block (32, 8): 32 columns, 8 rows at a time; grid (column groups, row chunks).
            Launch.kernel(kernels.biasPartial, stream, KernelGemm.ceilDiv(cols, 32), chunks, 32, 8,
                    KernelArgs.biasPartial(rows, cols, rowsPerChunk, m(delta).ptr, partial));
            // One thread per column sums the chunks in order.
            Launch.kernel(kernels.biasFinish, stream, KernelGemm.ceilDiv(cols, Launch.BLOCK), 1, Launch.BLOCK, 1,
                    KernelArgs.biasFinish(chunks, cols, beta, partial, m(grad).ptr));
        }, delta, grad);
    }

    @Override
    protected void doSgdUpdate(double lr, Matrix grad, Matrix param) {
        int n = m(param).n();
        exec("sgd update", () -> Launch.linear(kernels.sgdUpdate, stream, Launch.blocksFor(n),
                KernelArgs.sgdUpdate(precision, n, lr, m(grad).ptr, m(param).ptr)), param, grad);
    }

    @Override
    public boolean fusesNetwork(int[] widths) {
        return SmallNetworkKernel.fits(widths);
    }

    @Override
    protected void doNetworkGradients(List<LayerParameters> layers, Matrix x, Matrix t, int count, double beta,
            Matrix loss) {
        int[] widths = new int[layers.size() + 1];
        widths[0] = x.cols();
        List<Matrix> touched = new ArrayList<>(List.of(x, t, loss));
        for (int l = 0; l < layers.size(); l++) {
            LayerParameters p = layers.get(l);
            widths[l + 1] = p.outputs();
            touched.addAll(List.of(p.weights(), p.weightGrad()));
            if (p.bias() != null) {
                touched.addAll(List.of(p.bias(), p.biasGrad()));
            }
        }
        double scale = 1.0 / count;
        exec("small network gradients", () -> SmallNetworkKernel.launch(kernels, stream, widths, layers, x, t, scale,
                KernelArgs.scalar(precision, scale), beta, loss, scratch(SmallNetworkKernel.scratchBytes(widths, x.rows()))),
                touched.toArray(new Matrix[0]));
    }

    /** Device scratch memory of at least {@code bytes}, shared by the reductions (one stream orders them). */
    private CUdeviceptr scratch(long bytes) {
        if (bytes > scratchBytes) {
            if (scratch != null && capturing) {
                retiredScratch.add(scratch); // the graph being captured may use it; freed at close
            } else if (scratch != null) {
                cuStreamSynchronize(stream);
                cuMemFree(scratch);
            }
            scratch = null;
            scratchBytes = 0;
            scratch = alloc(bytes, "reduction scratch");
            scratchBytes = bytes;
        }
        return scratch;
    }

    /** {@code -Dnabla.cuda.graphs=false} replays recorded steps operation by operation, without graphs. */
    static final String GRAPHS_PROPERTY = "nabla.cuda.graphs";
    private static final boolean GRAPHS = !"false".equals(System.getProperty(GRAPHS_PROPERTY));

    /**
     * Captures {@code body} as a CUDA graph. Where the driver cannot capture it, the reason is kept
     * for {@link #description()} and the recording runs {@code body} operation by operation instead.
     */
    @Override
    public Recording record(Runnable body) {
        Recording plain = super.record(body);
        if (!GRAPHS) {
            graphProblem = "turned off with -D" + GRAPHS_PROPERTY + "=false";
            return plain;
        }
        try {
            return CudaThread.call(() -> {
                readyAll();
                capturing = true;
                try {
                    GraphRecording g = GraphRecording.capture(this, stream, body);
                    graphs.add(g);
                    graphProblem = null;
                    return g;
                } finally {
                    capturing = false;
                }
            });
        } catch (CudaException | CudaFailure e) {
            graphProblem = e.getMessage();
            return plain;
        }
    }

    /** The compute stream waits for every upload still under way. */
    private void readyAll() {
        for (DeviceMatrix d : live) {
            transfers.ready(d);
        }
    }

    void replay(GraphRecording g) {
        ensureOpen();
        try {
            CudaThread.run(() -> {
                readyAll();
                g.launch();
            });
        } catch (CudaException e) {
            throw new CudaFailure("cuda graph launch (" + g.nodes() + " operations, " + precision.id() + "): "
                    + e.getMessage(), e);
        }
    }

    void forget(GraphRecording g) {
        if (isClosed()) {
            return;
        }
        CudaThread.run(() -> {
            if (graphs.remove(g)) {
                g.destroy();
            }
        });
    }

    @Override
    public void synchronize() {
        super.synchronize();
        try {
            notCapturing("synchronize");
            CudaThread.run(transfers::synchronize);
        } catch (CudaException e) {
            throw new CudaFailure("cuda synchronize: " + e.getMessage(), e);
        }
    }

    @Override
    public long memoryAvailable() {
        ensureOpen();
        return freeDeviceMemory();
    }

    /** Bytes of device memory free now, for the lifecycle test and reports. */
    static long freeDeviceMemory() {
        return CudaThread.call(() -> {
            long[] free = new long[1];
            long[] total = new long[1];
            cuMemGetInfo(free, total);
            return free[0];
        });
    }

    @Override
    protected void doClose() {
        CudaThread.run(() -> {
            List<Runnable> steps = new ArrayList<>();
            steps.add(transfers::synchronize);
            for (GraphRecording g : graphs) {
                steps.add(g::destroy);
            }
            graphs.clear();
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
            }
            steps.add(gemm::close);
            steps.add(transfers::close);
            steps.add(() -> cuStreamDestroy(stream));
            // Every step runs even if one fails, so one failure does not leak the rest; the first is reported.
            RuntimeException first = null;
            for (Runnable step : steps) {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            if (first != null) {
                throw new CudaFailure("cuda close: " + first.getMessage(), first);
            }
        });
    }
}

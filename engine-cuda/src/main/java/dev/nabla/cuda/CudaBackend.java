package dev.nabla.cuda;

import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.LayerParameters;
import dev.nabla.backend.LogitLoss;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Optimizer;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Recording;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * <p>Its parts: {@link DeviceMemory} (matrices and reduction scratch), {@link Transfers} and
 * {@link HostFormat} (copies and their element formats), {@link CudaGemm} (cuBLAS or Nabla's own
 * GEMM kernel), {@link LayerKernels} (the launches of the elementwise and reduction kernels) and
 * {@link CudaGraphs} (recorded steps).
 *
 * <p>Closing the backend frees every matrix it allocated (newest first), its scratch memory,
 * staging buffers, cuBLAS handle, events and streams. The file is longer than most because it
 * holds one short method per {@link Backend} operation, each handing its work to the CUDA thread.
 */
final class CudaBackend extends Backend {

    private final CudaRuntime runtime;
    private final Precision precision;
    private final int elementBytes;
    private final KernelSet kernels;
    private final CUstream stream = new CUstream();
    private final Transfers transfers;
    private final DeviceMemory memory = new DeviceMemory(stream);
    private final CudaGemm gemm;
    private final CudaGraphs graphs = new CudaGraphs();
    private final LayerKernels layerKernels;

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
            boolean cublas =
                    choice == GemmChoice.CUBLAS || (choice == GemmChoice.AUTO && runtime.cublasProblem == null);
            gemm = cublas
                    ? new CublasGemm(precision, stream, runtime.cublasVersion)
                    : new OwnKernelGemm(
                            kernels,
                            precision,
                            stream,
                            choice == GemmChoice.KERNELS
                                    ? "chosen with -D" + GemmChoice.PROPERTY + "=kernels"
                                    : "cuBLAS not loadable: " + runtime.cublasProblem);
        } catch (RuntimeException | Error e) {
            if (t != null) {
                t.close();
            }
            cuStreamDestroy(stream);
            throw e;
        }
        transfers = t;
        layerKernels = new LayerKernels(kernels, stream, precision, memory, graphs);
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
                + (graphs.problem() == null ? "" : "; steps not recorded as CUDA graphs: " + graphs.problem());
    }

    /**
     * Operations that cannot be part of a recorded graph refuse to run while one is captured. The
     * body being recorded runs on the CUDA thread, and a backend is used from one thread at a time,
     * so the check can run on the caller's thread.
     */
    private void notCapturing(String op) {
        if (graphs.capturing()) {
            throw new IllegalStateException(
                    "cuda " + op + " cannot be recorded: a recorded body only queues operations");
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
                    transfers.ready(DeviceMatrix.of(x));
                }
                body.run();
            });
        } catch (CudaException e) {
            throw new CudaFailure(
                    "cuda " + op + " on " + touched[0].shape() + " (" + precision.id() + "): " + e.getMessage(), e);
        }
    }

    @Override
    protected Matrix doAllocate(int rows, int cols) {
        notCapturing("allocate");
        long bytes = (long) rows * cols * elementBytes;
        try {
            return CudaThread.call(() -> {
                CUdeviceptr p =
                        DeviceMemory.allocate(bytes, "a " + rows + "x" + cols + " " + precision.id() + " matrix");
                DeviceMatrix d = new DeviceMatrix(this, rows, cols, new DeviceMatrix.Storage(p), false);
                memory.add(d);
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
        exec("free", () -> memory.free(d, transfers), d);
    }

    @Override
    protected void doUpload(double[] src, int offset, Matrix dst) {
        notCapturing("upload");
        exec("upload", () -> transfers.upload(DeviceMatrix.of(dst), HostFormat.from(src, offset, precision)), dst);
    }

    @Override
    protected void doUpload(float[] src, int offset, Matrix dst) {
        notCapturing("upload");
        exec("upload", () -> transfers.upload(DeviceMatrix.of(dst), HostFormat.from(src, offset, precision)), dst);
    }

    @Override
    protected void doDownload(Matrix src, double[] dst, int offset) {
        notCapturing("download");
        exec("download", () -> transfers.download(DeviceMatrix.of(src), HostFormat.into(dst, offset, precision)), src);
    }

    @Override
    protected void doDownload(Matrix src, float[] dst, int offset) {
        notCapturing("download");
        exec("download", () -> transfers.download(DeviceMatrix.of(src), HostFormat.into(dst, offset, precision)), src);
    }

    @Override
    protected void doGemm(boolean transA, boolean transB, double alpha, Matrix a, Matrix b, double beta, Matrix c) {
        int k = transA ? a.rows() : a.cols();
        try {
            CudaThread.run(() -> {
                transfers.ready(DeviceMatrix.of(a), DeviceMatrix.of(b), DeviceMatrix.of(c));
                gemm.gemm(
                        transA,
                        transB,
                        c.rows(),
                        c.cols(),
                        k,
                        alpha,
                        DeviceMatrix.of(a).ptr,
                        a.cols(),
                        DeviceMatrix.of(b).ptr,
                        b.cols(),
                        beta,
                        DeviceMatrix.of(c).ptr,
                        c.cols());
            });
        } catch (CudaException | CudaFailure e) {
            throw new CudaFailure(
                    "cuda gemm m=" + c.rows() + " n=" + c.cols() + " k=" + k + " transA=" + transA + " transB=" + transB
                            + " (" + precision.id() + ", " + gemm.description() + "): " + e.getMessage(),
                    e);
        }
    }

    @Override
    protected void doActivationForward(Activation f, Matrix z, Matrix a) {
        if (f == Activation.SOFTMAX) {
            exec("softmax forward", () -> layerKernels.softmaxForward(z, a), z, a);
        } else {
            exec(f.id() + " forward", () -> layerKernels.activationForward(f, z, a), z, a);
        }
    }

    @Override
    protected void doActivationBackward(Activation f, Matrix a, Matrix g, Matrix delta) {
        exec(f.id() + " backward", () -> layerKernels.activationBackward(f, a, g, delta), a, g, delta);
    }

    @Override
    protected void doMseLoss(Matrix output, Matrix target, int count, Matrix delta, double beta, Matrix loss) {
        exec(
                "mse loss",
                () -> layerKernels.mseLoss(output, target, count, delta, beta, loss),
                output,
                target,
                delta,
                loss);
    }

    @Override
    protected void doAddBias(Matrix bias, Matrix z) {
        exec("add bias", () -> layerKernels.addBias(bias, z), z, bias);
    }

    @Override
    protected void doBiasGradient(Matrix delta, double beta, Matrix grad) {
        exec("bias gradient", () -> layerKernels.biasGradient(delta, beta, grad), delta, grad);
    }

    @Override
    protected void doLogitLoss(
            LogitLoss kind, Matrix z, Matrix target, int count, Matrix delta, double beta, Matrix loss) {
        exec(
                kind.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " loss",
                () -> layerKernels.logitLoss(kind, z, target, count, delta, beta, loss),
                z,
                target,
                delta,
                loss);
    }

    @Override
    protected void doOptimizerUpdate(
            Optimizer rule, Matrix scalars, Matrix grad, Matrix param, Matrix first, Matrix second) {
        // The scalars are among the matrices waited for: a step's new learning rate may be on its way.
        List<Matrix> touched = new ArrayList<>(List.of(param, grad, scalars));
        for (Matrix state : new Matrix[] {first, second}) {
            if (state != null) {
                touched.add(state);
            }
        }
        exec(
                rule.kind().id() + " update",
                () -> layerKernels.optimizerUpdate(rule, scalars, grad, param, first, second),
                touched.toArray(new Matrix[0]));
    }

    @Override
    public boolean fusesNetwork(int[] widths) {
        return SmallNetworkKernel.fits(widths);
    }

    @Override
    protected void doNetworkGradients(
            List<LayerParameters> layers, Matrix x, Matrix t, int count, double beta, Matrix loss) {
        int[] widths = new int[layers.size() + 1];
        widths[0] = x.cols();
        List<Matrix> touched = new ArrayList<>(List.of(x, t, loss));
        for (int l = 0; l < layers.size(); l++) {
            LayerParameters p = layers.get(l);
            if (!p.activation().elementwise()) {
                // small_network.cu knows the codes of the elementwise activations only (activation.cuh).
                throw new IllegalArgumentException("cuda small network gradients: layer " + (l + 1) + "'s "
                        + p.activation().id() + " is not elementwise; its loss takes the layer-by-layer path");
            }
            widths[l + 1] = p.outputs();
            touched.addAll(List.of(p.weights(), p.weightGrad()));
            if (p.bias() != null) {
                touched.addAll(List.of(p.bias(), p.biasGrad()));
            }
        }
        exec(
                "small network gradients",
                () -> layerKernels.networkGradients(widths, layers, x, t, count, beta, loss),
                touched.toArray(new Matrix[0]));
    }

    /**
     * Captures {@code body} as a CUDA graph ({@link CudaGraphs}). Where the driver cannot capture
     * it, the reason is kept for {@link #description()} and the recording runs {@code body}
     * operation by operation instead.
     */
    @Override
    public Recording record(Runnable body) {
        return graphs.record(this, stream, body, this::readyAll, super.record(body));
    }

    /** The compute stream waits for every upload still under way. */
    private void readyAll() {
        for (DeviceMatrix d : memory.matrices()) {
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
            throw new CudaFailure(
                    "cuda graph launch (" + g.nodes() + " operations, " + precision.id() + "): " + e.getMessage(), e);
        }
    }

    void forget(GraphRecording g) {
        if (isClosed()) {
            return;
        }
        CudaThread.run(() -> graphs.destroy(g));
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

    @Override
    public boolean usesJavaHeap() {
        return false;
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
            steps.addAll(graphs.destroyAll());
            steps.addAll(memory.freeAll(transfers));
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

package dev.nabla.cuda;

import dev.nabla.InputException;
import dev.nabla.backend.Backend;
import dev.nabla.backend.BackendProvider;
import dev.nabla.backend.BackendUnavailableException;
import dev.nabla.backend.Precision;
import dev.nabla.backend.ProbeReport;

/**
 * Registers the CUDA backend, tried first by {@code auto}. Constructing the provider touches no
 * native code: a machine without CUDA loads this class and gets a probe report saying why the
 * backend cannot run.
 */
public final class CudaBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public ProbeReport probe() {
        return CudaRuntime.get().report;
    }

    @Override
    public Backend open(Precision precision) {
        return open(precision, GemmChoice.fromSystemProperty());
    }

    /** Opens the backend with the given GEMM path. */
    static CudaBackend open(Precision precision, GemmChoice choice) {
        CudaRuntime rt = CudaRuntime.get();
        if (!rt.usable()) {
            throw new BackendUnavailableException("backend 'cuda' cannot run here: " + rt.report.reason());
        }
        if (precision == Precision.TF32) {
            if (rt.computeCapability < 80) {
                throw new InputException("tf32 needs tensor cores of compute capability 8.0 or newer; this GPU's is "
                        + rt.computeCapability / 10 + "." + rt.computeCapability % 10 + " (use fp32)");
            }
            if (choice == GemmChoice.KERNELS || rt.cublasProblem != null) {
                throw new InputException("tf32 runs its matrix products through cuBLAS, and "
                        + (choice == GemmChoice.KERNELS
                                ? "-D" + GemmChoice.PROPERTY + "=kernels chose Nabla's own GEMM"
                                : "cuBLAS cannot be loaded: " + rt.cublasProblem)
                        + " (use fp32)");
            }
        }
        if (choice == GemmChoice.CUBLAS && rt.cublasProblem != null) {
            throw new BackendUnavailableException("cuBLAS was asked for (-D" + GemmChoice.PROPERTY
                    + "=cublas) but cannot be loaded: " + rt.cublasProblem);
        }
        return CudaThread.call(() -> new CudaBackend(rt, precision, choice));
    }
}

package dev.nabla.cuda;

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
        if (choice == GemmChoice.CUBLAS && rt.cublasProblem != null) {
            throw new BackendUnavailableException("cuBLAS was asked for (-D" + GemmChoice.PROPERTY
                    + "=cublas) but cannot be loaded: " + rt.cublasProblem);
        }
        return CudaThread.call(() -> new CudaBackend(rt, precision, choice));
    }
}

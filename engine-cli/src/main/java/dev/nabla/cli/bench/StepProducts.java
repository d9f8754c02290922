package dev.nabla.cli.bench;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Recording;
import dev.nabla.benchmark.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The matrix products of one training step alone, on the same backend and shapes: per layer the
 * forward product {@code z = a W^T}, the weight gradient {@code dW = delta^T a}, and (above the
 * first layer) the gradient passed down {@code g = delta W}. Timed like the step (recorded, then
 * replayed, ending with a synchronize), it says how close the whole step comes to its products.
 */
final class StepProducts implements AutoCloseable {
    private final Backend backend;
    private final List<Matrix> owned = new ArrayList<>();
    private final List<Runnable> products = new ArrayList<>();
    private Recording recording;

    StepProducts(Backend backend, Workload w) {
        this.backend = backend;
        int[] widths = w.widths();
        int b = w.batch();
        try {
            for (int l = 0; l + 1 < widths.length; l++) {
                int in = widths[l];
                int out = widths[l + 1];
                Matrix a = filled(b, in);
                Matrix weights = filled(out, in);
                Matrix z = filled(b, out);
                Matrix dw = filled(out, in);
                products.add(() -> backend.gemm(false, true, 1.0, a, weights, 0.0, z));
                products.add(() -> backend.gemm(true, false, 1.0, z, a, 0.0, dw));
                if (l > 0) {
                    Matrix g = filled(b, in);
                    products.add(() -> backend.gemm(false, false, 1.0, z, weights, 0.0, g));
                }
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** A matrix of small values (products of zeros could take a shortcut). */
    private Matrix filled(int rows, int cols) {
        Matrix m = backend.allocate(rows, cols);
        owned.add(m);
        double[] v = new double[Math.multiplyExact(rows, cols)];
        Arrays.fill(v, 1.0 / 64);
        backend.upload(v, 0, m);
        return m;
    }

    private void once() {
        for (Runnable p : products) {
            p.run();
        }
    }

    /** Seconds for {@code n} steps' products, recorded after a first direct run as the step is. */
    double time(int n) {
        if (recording == null) {
            once();
            recording = backend.record(this::once);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            recording.replay();
        }
        backend.synchronize();
        return (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public void close() {
        if (recording != null) {
            recording.close();
        }
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
    }
}

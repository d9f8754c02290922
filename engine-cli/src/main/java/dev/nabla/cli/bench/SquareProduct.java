package dev.nabla.cli.bench;

import dev.nabla.backend.Backend;
import dev.nabla.backend.Backends;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Precision;
import dev.nabla.backend.Selection;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A large square product {@code C = A B} of {@code n x n} matrices on one backend and precision:
 * what the machine's GEMM gives when nothing else limits it. {@code engine bench} times it, and the
 * peers' libraries on the same product, alternately in the same run, and judges each step's
 * GFLOP/s against the best of them.
 */
final class SquareProduct implements AutoCloseable {
    /** The side on the CPU: large enough for a BLAS to reach its peak, a second a product here. */
    static final int CPU_SIDE = 3072;
    /** The side on a GPU, where 3072 is over before the device is busy. */
    static final int GPU_SIDE = 8192;

    final int n;
    private final Selection selection;
    private final Matrix a;
    private final Matrix b;
    private final Matrix c;

    SquareProduct(String backend, Precision p, int n) {
        this.n = n;
        this.selection = Backends.select(backend, p);
        Backend be = selection.backend();
        try { // the backend frees them when it closes
            a = filled(be, 1);
            b = filled(be, 2);
            c = be.allocate(n, n);
        } catch (RuntimeException | Error e) {
            selection.close();
            throw e;
        }
    }

    /** The default side on {@code backend}. */
    static int defaultSide(String backend) {
        return backend.equals("cpu") ? CPU_SIDE : GPU_SIDE;
    }

    private Matrix filled(Backend be, long seed) {
        Matrix m = be.allocate(n, n);
        double[] v = new double[Math.multiplyExact(n, n)];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextDouble();
        }
        be.upload(v, 0, m);
        return m;
    }

    /** Seconds for {@code count} products, until the last one is done. */
    double time(int count) {
        Backend be = selection.backend();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            be.gemm(false, false, 1.0, a, b, 0.0, c);
        }
        be.synchronize();
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Times the product on Nabla's {@code backend} and, alternately repeat by repeat, with each peer
     * library that does square products there (NumPy's BLAS and PyTorch's eager {@code mm}; the JVM
     * peers answer that they do not, and are left out), as {@code engine bench} times the steps.
     */
    static List<SquareResult> measure(String backend, Precision p, int n, PeerSet peers, MeasuringProtocol protocol) {
        double flops = flops(n) / 1e9;
        List<SquareResult> results = new ArrayList<>();
        try (SquareProduct ours = new SquareProduct(backend, p, n)) {
            double one = protocol.warmUp(ours::time);
            int count = protocol.stepsPerRepeat(one);
            int reps = protocol.repeatsFor(count, one);
            List<PeerTimer> timers = new ArrayList<>();
            if (peers != null) {
                for (PeerProcess peer : peers.processes) {
                    for (String engine : peer.engines) {
                        if ((engine.equals("numpy") || engine.startsWith("torch-eager"))
                                && engine.endsWith("cuda") == backend.equals("cuda")) {
                            timers.add(prepare(peer, engine, n, p, protocol));
                        }
                    }
                }
            }
            List<Double> gflops = new ArrayList<>();
            for (int r = 0; r < reps; r++) {
                PeerTimer.settle(timers);
                gflops.add(count * flops / ours.time(count));
                PeerTimer.repeatAll(timers, flops);
            }
            results.add(new SquareResult(backend, p, n, "nabla", Stats.of(gflops), ours.device()));
            for (PeerTimer t : timers) {
                results.add(new SquareResult(backend, p, n, t.engine, t.stats(), t.note));
            }
        }
        return results;
    }

    /** A peer's square product, warmed up and sized; not timed, with the reason, where it fails. */
    private static PeerTimer prepare(PeerProcess peer, String engine, int n, Precision p, MeasuringProtocol protocol) {
        PeerTimer t = new PeerTimer(peer, engine, k -> peer.square(engine, n, p, k));
        try {
            t.steps = protocol.stepsPerRepeat(protocol.warmUp(t::seconds));
            t.note = engine.equals("numpy") ? "NumPy's BLAS (np.matmul)" : "PyTorch's torch.mm";
        } catch (RuntimeException e) {
            t.note = "not timed: " + e.getMessage();
        }
        return t;
    }

    /** Floating-point operations of one product: {@code 2 n^3}. */
    static double flops(int n) {
        return 2.0 * n * n * n;
    }

    String device() {
        return selection.backend().description();
    }

    @Override
    public void close() {
        selection.close();
    }
}

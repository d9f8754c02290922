package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.nabla.backend.Activation;
import dev.nabla.backend.Backend;
import dev.nabla.backend.Matrix;
import dev.nabla.backend.Precision;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Host-device copies ({@link Transfers}): larger than the pinned staging buffers, which then take
 * turns while earlier copies may still be reading them; and an upload into a matrix that a kernel
 * queued before it still has to read.
 */
class CudaTransfersTest {
    @BeforeAll
    static void requireGpu() {
        Gpu.require();
    }

    /** {@code x} as the device holds it in precision {@code p}. */
    private static double[] held(double[] x, Precision p) {
        double[] out = x.clone();
        if (p != Precision.FP64) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) out[i];
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(
            value = Precision.class,
            names = {"FP64", "FP32"})
    void copiesLargerThanTheStagingBuffersArriveWhole(Precision p) {
        int perChunk = (int) (Transfers.CHUNK_BYTES / p.bytes());
        int cols = 1000;
        int rows = (2 * perChunk + 12_345) / cols + 1; // three chunks, the last one partial
        SplittableRandom rng = new SplittableRandom(7);
        double[] x = rng.doubles((long) rows * cols).toArray();
        double[] y = rng.doubles((long) rows * cols).toArray();
        try (Backend be = CudaBackendProvider.open(p, GemmChoice.AUTO)) {
            Matrix a = be.allocate(rows, cols);
            Matrix b = be.allocate(rows, cols);
            be.upload(x, 0, a);
            be.upload(y, 0, b); // its chunks go through the staging buffers a's chunks went through
            assertArrayEquals(held(x, p), be.download(a), p + " first matrix");
            assertArrayEquals(held(y, p), be.download(b), p + " second matrix");
        }
    }

    @Test
    void anUploadWaitsForTheKernelsThatReadWhatItOverwrites() {
        int n = 4096;
        SplittableRandom rng = new SplittableRandom(8);
        double[] first = rng.doubles(n, -4, 4).toArray();
        double[] second = rng.doubles(n, -4, 4).toArray();
        try (Backend be = CudaBackendProvider.open(Precision.FP64, GemmChoice.AUTO)) {
            Matrix a = be.allocate(1, n);
            Matrix b = be.allocate(1, n);
            be.upload(first, 0, a);
            be.activationForward(Activation.IDENTITY, a, b); // b = a, queued
            be.upload(second, 0, a); // must not land before the kernel has read the first values
            assertArrayEquals(first, be.download(b), "the kernel read what was there when it was queued");
            assertArrayEquals(second, be.download(a), "the second upload arrived");
        }
    }
}

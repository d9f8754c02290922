package dev.nabla.benchmark;

import dev.nabla.InputException;
import dev.nabla.backend.Activation;
import dev.nabla.backend.Precision;
import dev.nabla.model.Network;
import java.util.Arrays;
import java.util.List;

/**
 * A standard benchmark: a fully connected network, sigmoid everywhere, mean squared error, plain
 * SGD, no bias, trained on batches of a fixed size. A step is forward, loss, backward and update;
 * it counts {@code 6 x weights x samples} floating-point operations (2 for the forward product,
 * 4 for the two backward ones).
 *
 * @param name the name {@code engine bench} and {@link #named} know it by
 * @param widths the layer widths, inputs first
 * @param batch the samples of each measured step
 * @param precisions the precisions it is measured in (tf32 only where a GPU has it)
 */
public record Workload(String name, int[] widths, int batch, List<Precision> precisions) {

    /** The 2-2-2 network of the document, on a million-sample batch: all elementwise work and launch overhead. */
    public static final Workload SEED = new Workload("seed", new int[] {2, 2, 2}, 1 << 20, List.of(Precision.FP64));
    /** An MNIST-sized network: 784-256-256-10 on batches of 1,024. */
    public static final Workload MNIST =
            new Workload("mnist", new int[] {784, 256, 256, 10}, 1024, List.of(Precision.FP64, Precision.FP32));
    /** A wide network whose steps are almost all matrix products: 1024-4096-4096-1024 on batches of 4,096. */
    public static final Workload WIDE = new Workload(
            "wide", new int[] {1024, 4096, 4096, 1024}, 4096, List.of(Precision.FP64, Precision.FP32, Precision.TF32));

    /** The workloads {@code engine bench} measures, smallest first. */
    public static final List<Workload> STANDARD = List.of(SEED, MNIST, WIDE);

    /** Keeps copies of the widths and the precisions. */
    public Workload {
        widths = widths.clone();
        precisions = List.copyOf(precisions);
    }

    /** The layer widths, inputs first (a copy). */
    @Override
    public int[] widths() {
        return widths.clone();
    }

    /** The standard workload of that name; another name is an {@link InputException} listing the known ones. */
    public static Workload named(String name) {
        for (Workload w : STANDARD) {
            if (w.name.equals(name)) {
                return w;
            }
        }
        throw new InputException("unknown workload '" + name + "' (known: seed, mnist, wide)");
    }

    /** The network with Glorot-uniform weights from {@code seed}. */
    public Network network(long seed) {
        Network.Builder b = Network.builder(widths[0]);
        for (int l = 1; l < widths.length; l++) {
            b.dense(widths[l], Activation.SIGMOID, false);
        }
        return b.build(seed);
    }

    /** Weights of the network. */
    public long weights() {
        long n = 0;
        for (int l = 1; l < widths.length; l++) {
            n += (long) widths[l - 1] * widths[l];
        }
        return n;
    }

    /** Floating-point operations of one sample's step: {@code 6 x weights}. */
    public double flopsPerSample() {
        return 6.0 * weights();
    }

    /** {@code 784-256-256-10}. */
    public String shape() {
        return String.join(
                "-", Arrays.stream(widths).mapToObj(Integer::toString).toList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Workload w
                && name.equals(w.name)
                && Arrays.equals(widths, w.widths)
                && batch == w.batch
                && precisions.equals(w.precisions);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(widths);
    }

    @Override
    public String toString() {
        return name + " (" + shape() + ", batch " + batch + ")";
    }
}

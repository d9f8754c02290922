package dev.nabla.cli.bench;

import dev.nabla.backend.Precision;
import java.util.List;

/**
 * One library's large square product ({@link SquareProduct}) on one backend and precision: {@code by}
 * is {@code nabla} or the peer engine whose library did it; {@code gflops} is null where it was not
 * timed, and {@code note} says why, or names the device.
 */
record SquareResult(String backend, Precision precision, int n, String by, Stats gflops, String note) {
    /** The highest median GFLOP/s of the square products on this backend and precision; NaN where none was timed. */
    static double best(List<SquareResult> squares, String backend, Precision p) {
        return squares.stream()
                .filter(s -> s.backend.equals(backend) && s.precision == p && s.gflops != null)
                .mapToDouble(s -> s.gflops.median())
                .max()
                .orElse(Double.NaN);
    }
}

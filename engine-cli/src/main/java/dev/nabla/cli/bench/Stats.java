package dev.nabla.cli.bench;

import java.util.Arrays;
import java.util.List;

/** The median of repeated measurements and their spread: half the range, as a fraction of the median. */
record Stats(double median, double spread, int count) {

    static Stats of(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return new Stats(Double.NaN, Double.NaN, 0);
        }
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        double spread = v.length < 2 ? Double.NaN : (v[v.length - 1] - v[0]) / 2 / median;
        return new Stats(median, spread, v.length);
    }

    @Override
    public String toString() {
        return Arrays.toString(new double[] {median, spread}) + " of " + count;
    }
}

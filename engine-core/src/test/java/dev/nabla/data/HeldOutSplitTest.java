package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Held-out samples: the last rows, or drawn from a seed among all of them, and the views that hold them. */
class HeldOutSplitTest {
    private static final int N = 1000;

    /**
     * Sample {@code s} has the inputs {@code (s, -s - 1)} and the target 0 for the first half, 1 for
     * the second: data sorted by class.
     */
    private static Dataset sorted() {
        double[] x = new double[N * 2];
        double[] t = new double[N];
        for (int s = 0; s < N; s++) {
            x[2 * s] = s;
            x[2 * s + 1] = -s - 1;
            t[s] = s < N / 2 ? 0 : 1;
        }
        return new Dataset("sorted", N, 2, 1, x, t);
    }

    /** The samples of a view, by their first input. */
    private static int[] ids(Samples v) {
        double[] x = new double[v.count() * 2];
        v.copyInputs(0, v.count(), x, 0);
        int[] ids = new int[v.count()];
        for (int r = 0; r < ids.length; r++) {
            assertEquals(-x[2 * r] - 1, x[2 * r + 1], "each row's inputs come together");
            ids[r] = (int) x[2 * r];
        }
        return ids;
    }

    private static double[] targets(Samples v) {
        double[] t = new double[v.count()];
        v.copyTargets(0, v.count(), t, 0);
        return t;
    }

    @Test
    void theLastRowsAreHeldOutInFileOrder() {
        HeldOutSplit split = HeldOutSplit.last(sorted(), 200);
        assertArrayEquals(IntStream.range(0, 800).toArray(), ids(split.train()));
        assertArrayEquals(IntStream.range(800, N).toArray(), ids(split.held()));
        assertTrue(Arrays.stream(targets(split.held())).allMatch(t -> t == 1), "sorted data: one class held out");
    }

    @Test
    void drawnSamplesComeFromAllOfTheDataAndTheRestIsTrainedOn() {
        HeldOutSplit split = HeldOutSplit.drawn(sorted(), 200, 1);
        int[] held = ids(split.held());
        int[] train = ids(split.train());
        assertEquals(200, held.length);
        assertEquals(800, train.length);
        int[] all = IntStream.concat(Arrays.stream(held), Arrays.stream(train))
                .sorted()
                .toArray();
        assertArrayEquals(IntStream.range(0, N).toArray(), all, "every sample once, held out or trained on");
        long ones = Arrays.stream(targets(split.held())).filter(t -> t == 1).count();
        assertTrue(ones > 60 && ones < 140, "both classes are held out: " + ones + " of 200 from the second");
        assertTrue(held[0] < 100 && held[199] >= 900, "from the beginning to the end: " + Arrays.toString(held));
        double[] t = targets(split.train());
        for (int r = 0; r < train.length; r++) {
            assertEquals(train[r] < N / 2 ? 0 : 1, t[r], "the targets of sample " + train[r]);
        }
        assertEquals("sorted (drawn from seed 1)", split.held().name());
    }

    @Test
    void theSameSeedDrawsTheSameSamplesAndAnotherSeedOthers() {
        int[] a = ids(HeldOutSplit.drawn(sorted(), 150, 7).held());
        assertArrayEquals(a, ids(HeldOutSplit.drawn(sorted(), 150, 7).held()));
        assertFalse(Arrays.equals(a, ids(HeldOutSplit.drawn(sorted(), 150, 8).held())));
        int[] fewer = ids(HeldOutSplit.drawn(sorted(), 100, 7).held());
        assertTrue(
                Arrays.stream(fewer).allMatch(s -> Arrays.binarySearch(a, s) >= 0),
                "fewer samples from the same seed are a part of the same draw");
    }

    /** Rows copied by index from memory-mapped samples (no arrays) are the rows copied from an array. */
    @Test
    void aViewOverSamplesNotInMemoryCopiesTheSameRows() {
        Dataset d = sorted();
        Samples noArrays = new Samples() {
            @Override
            public String name() {
                return "mapped";
            }

            @Override
            public int count() {
                return d.count();
            }

            @Override
            public int inputWidth() {
                return 2;
            }

            @Override
            public int targetWidth() {
                return 1;
            }

            @Override
            public void copyInputs(int first, int rows, double[] dst, int offset) {
                d.copyInputs(first, rows, dst, offset);
            }

            @Override
            public void copyTargets(int first, int rows, double[] dst, int offset) {
                d.copyTargets(first, rows, dst, offset);
            }
        };
        HeldOutSplit fromArrays = HeldOutSplit.drawn(d, 300, 3);
        HeldOutSplit mapped = HeldOutSplit.drawn(noArrays, 300, 3);
        assertArrayEquals(ids(fromArrays.train()), ids(mapped.train()));
        assertArrayEquals(targets(fromArrays.held()), targets(mapped.held()));
        double[] part = new double[5 * 2];
        mapped.train().copyInputs(10, 5, part, 0);
        double[] same = new double[5 * 2];
        fromArrays.train().slice(10, 5).copyInputs(0, 5, same, 0);
        assertArrayEquals(same, part, "rows from the middle, and a slice of the view");
        assertThrows(IndexOutOfBoundsException.class, () -> mapped.held().copyInputs(299, 2, new double[4], 0));
    }

    @Test
    void aSplitMustLeaveSamplesOnBothSides() {
        assertThrows(IllegalArgumentException.class, () -> HeldOutSplit.drawn(sorted(), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> HeldOutSplit.drawn(sorted(), N, 1));
        assertThrows(IllegalArgumentException.class, () -> HeldOutSplit.last(sorted(), N));
    }
}

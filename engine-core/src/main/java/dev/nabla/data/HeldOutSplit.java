package dev.nabla.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Samples split into those to train on and those held out to measure the loss on. The split is
 * fixed for a whole run, and the same samples, count and seed give the same split, so a resumed
 * run holds out what the run it continues held out.
 *
 * @param train the samples to train on
 * @param held the held-out samples
 */
public record HeldOutSplit(Samples train, Samples held) {

    /**
     * Mixed into the seed, so that the held-out samples are not drawn by the same random numbers
     * as the first epoch's order.
     */
    private static final long SALT = 0x48454c444f5554L; // "HELDOUT"

    /** The last {@code count} samples held out, the ones before them to train on. */
    public static HeldOutSplit last(Samples all, int count) {
        requireCount(all, count);
        int train = all.count() - count;
        return new HeldOutSplit(all.slice(0, train), all.slice(train, count));
    }

    /**
     * {@code count} samples held out, drawn from {@code seed} among all of them (the first
     * {@code count} of a permutation of every sample's index drawn from the seed); the others to
     * train on. Both keep the samples' order in {@code all}.
     */
    public static HeldOutSplit drawn(Samples all, int count, long seed) {
        requireCount(all, count);
        int[][] split = drawnIndices(all.count(), count, seed);
        return new HeldOutSplit(
                new SampleSelection(all, split[1], all.name() + " (all but the held-out samples)"),
                new SampleSelection(all, split[0], all.name() + " (drawn from seed " + seed + ")"));
    }

    /**
     * The indices, in increasing order, of the samples trained on when {@code held} of {@code n}
     * are held out: as {@link #drawn} draws them from {@code seed} when {@code drawn}, else as
     * {@link #last} leaves them.
     */
    public static int[] trainIndices(int n, int held, boolean drawn, long seed) {
        if (held < 1 || held >= n) {
            throw new IllegalArgumentException(
                    "holding out " + held + " of " + n + " samples leaves none held out or none to train on");
        }
        if (drawn) {
            return drawnIndices(n, held, seed)[1];
        }
        int[] train = new int[n - held];
        for (int s = 0; s < train.length; s++) {
            train[s] = s;
        }
        return train;
    }

    /** The held-out indices and the others, each in increasing order, {@code count} of {@code n} drawn from {@code seed}. */
    private static int[][] drawnIndices(int n, int count, long seed) {
        int[] order = new int[n];
        for (int s = 0; s < n; s++) {
            order[s] = s;
        }
        SplittableRandom rng = new SplittableRandom(seed ^ SALT);
        for (int i = 0; i < count; i++) { // the first count places of a Fisher-Yates shuffle
            int j = i + rng.nextInt(n - i);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        int[] held = Arrays.copyOf(order, count);
        int[] train = Arrays.copyOfRange(order, count, n);
        Arrays.sort(held);
        Arrays.sort(train);
        return new int[][] {held, train};
    }

    private static void requireCount(Samples all, int count) {
        if (count < 1 || count >= all.count()) {
            throw new IllegalArgumentException("holding out " + count + " of " + all.count()
                    + " samples leaves none held out or none to train on");
        }
    }
}

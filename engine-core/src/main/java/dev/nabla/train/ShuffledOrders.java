package dev.nabla.train;

import java.util.SplittableRandom;

/**
 * The orders in which {@link TrainingLoop} visits the samples of each epoch when it shuffles: from
 * the seed, epoch after epoch, each a Fisher-Yates shuffle of the order before it. Anyone who draws
 * them from the same seed and sample count gets the same orders, so a machine that holds the data
 * can find a step's samples from the step's number alone.
 */
public final class ShuffledOrders {
    private final long seed;
    private final int[] order;
    private SplittableRandom rng;
    /** The epoch {@link #order} is the order of; 0 before the first. */
    private int epoch;

    /** The orders of {@code samples} samples drawn from {@code seed}. */
    public ShuffledOrders(int samples, long seed) {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be at least 1, not " + samples);
        }
        this.seed = seed;
        this.order = new int[samples];
        restart();
    }

    private void restart() {
        for (int s = 0; s < order.length; s++) {
            order[s] = s;
        }
        rng = new SplittableRandom(seed);
        epoch = 0;
    }

    /**
     * The order of epoch {@code e} (from 1): {@code order[k]} is the sample visited {@code k}-th.
     * Going forward costs one shuffle per epoch; going back draws again from the seed. The array
     * is this object's own, valid until the next call.
     */
    public int[] epoch(int e) {
        if (e < 1) {
            throw new IllegalArgumentException("epochs count from 1, not " + e);
        }
        if (e < epoch) {
            restart();
        }
        while (epoch < e) {
            shuffle(order, rng);
            epoch++;
        }
        return order;
    }

    /** One Fisher-Yates shuffle of {@code order} in place. */
    private static void shuffle(int[] order, SplittableRandom rng) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    }
}

package dev.nabla.spark;

import dev.nabla.InputException;
import java.util.Locale;

/** An exchange asked for by name, instead of the one {@link Exchange#choose} picks by size. */
public enum ExchangeChoice {
    /** Every partition's gradient collected to the driver ({@link CollectExchange}). */
    COLLECT,
    /** A reduce-scatter through the shuffle, then a gather of the sums ({@link ReduceScatterExchange}). */
    REDUCE_SCATTER;

    Exchange make(int partitions, long parameters) {
        return this == COLLECT
                ? new CollectExchange()
                : new ReduceScatterExchange(ReduceScatterExchange.chunksFor(parameters, partitions));
    }

    /** {@code collect}, {@code reduce-scatter}, or {@code auto} (null: chosen by size). */
    public static ExchangeChoice parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "auto" -> null;
            case "collect" -> COLLECT;
            case "reduce-scatter" -> REDUCE_SCATTER;
            default -> throw new InputException("unknown exchange \"" + name + "\": auto, collect or reduce-scatter");
        };
    }
}

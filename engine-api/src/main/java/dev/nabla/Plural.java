package dev.nabla;

/** Counts in messages: {@code "1 column"}, {@code "3 columns"}. */
public final class Plural {
    private Plural() {}

    /** {@code n} and the noun, with an {@code s} unless {@code n} is 1. */
    public static String of(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}

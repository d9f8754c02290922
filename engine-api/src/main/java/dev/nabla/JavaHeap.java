package dev.nabla;

import java.util.Locale;

/**
 * What the Java heap holds and can still take, and the refusal of an allocation it cannot take:
 * the checks a run makes before it allocates its data, model and trainer.
 */
public final class JavaHeap {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private JavaHeap() {}

    /** The most the heap may grow to ({@code -Xmx}). */
    public static long max() {
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * Bytes the heap can still take: its maximum less what is in use now. Garbage not yet
     * collected counts as in use; {@link #freeFor} collects it before saying no.
     */
    public static long free() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /**
     * {@link #free()}, measured again after one {@link System#gc()} when it is less than
     * {@code bytes}, so that garbage does not make a run that fits look as if it does not.
     */
    public static long freeFor(long bytes) {
        long free = free();
        if (free >= bytes) {
            return free;
        }
        System.gc();
        return free();
    }

    /**
     * Returns when the heap has {@code bytes} free (after collecting garbage if need be);
     * otherwise throws the one-line refusal: {@code what} (a noun phrase: "the built-in data
     * (1,000 samples of 16 inputs and 4 targets)") needs so many bytes, so many are free, and the
     * ways out: a larger heap, then {@code otherWays} ("use fewer --samples").
     *
     * @throws MemoryException when the heap cannot take {@code bytes}
     */
    public static void require(long bytes, String what, String... otherWays) {
        long free = freeFor(bytes);
        if (free < bytes) {
            throw refusal(bytes, free, what, otherWays);
        }
    }

    /** The refusal {@link #require} throws, for {@code bytes} needed and {@code free} available. */
    public static MemoryException refusal(long bytes, long free, String what, String... otherWays) {
        String xmx = suggestedMax(Math.max(0, max() - free) + bytes);
        String[] ways = new String[otherWays.length + 1];
        ways[0] = "give Java a larger heap (NABLA_JAVA_OPTS=" + xmx + " with bin/nabla, java " + xmx + " otherwise)";
        System.arraycopy(otherWays, 0, ways, 1, otherWays.length);
        return new MemoryException(
                "not enough memory: " + what + " needs " + bytes(bytes) + " of Java heap, but " + bytes(free)
                        + " are free (the heap is at most " + size(max()) + "); " + either(ways),
                bytes,
                free);
    }

    /** {@code "a"}, {@code "a or b"}, {@code "a, b, or c"}. */
    public static String either(String... ways) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < ways.length; k++) {
            sb.append(k == 0 ? "" : ways.length == 2 ? " or " : k + 1 == ways.length ? ", or " : ", ")
                    .append(ways[k]);
        }
        return sb.toString();
    }

    /** {@code "8,000,000,000 bytes (7.5 GiB)"}; below a mebibyte just {@code "512 bytes"}. */
    public static String bytes(long n) {
        String exact = String.format(Locale.ROOT, "%,d bytes", n);
        return n < MIB ? exact : exact + " (" + size(n) + ")";
    }

    /** {@code "7.5 GiB"}, {@code "64.0 MiB"}, {@code "512 bytes"}. */
    public static String size(long n) {
        if (n >= GIB) {
            return String.format(Locale.ROOT, "%.1f GiB", n / (double) GIB);
        }
        if (n >= MIB) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (double) MIB);
        }
        return n + " bytes";
    }

    /**
     * An {@code -Xmx} option for a heap that holds {@code bytes} with a quarter more to spare (for
     * what the run allocates next and for the collector): {@link #xmx} of that.
     */
    public static String suggestedMax(long bytes) {
        return xmx(bytes + bytes / 4);
    }

    /** {@code -Xmx} of at least {@code bytes}: whole gibibytes from 1 GiB up ({@code -Xmx10g}), else a multiple of 64 MiB ({@code -Xmx320m}). */
    public static String xmx(long bytes) {
        if (bytes > GIB - 64 * MIB) {
            return "-Xmx" + ceilDiv(bytes, GIB) + "g";
        }
        return "-Xmx" + Math.max(1, ceilDiv(bytes, 64 * MIB)) * 64 + "m";
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}

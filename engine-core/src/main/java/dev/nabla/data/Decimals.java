package dev.nabla.data;

import java.nio.charset.StandardCharsets;

/**
 * Decimal numbers in ASCII bytes, as data files write them, to the nearest double, with no object
 * per number. A decimal of at most 17 significant digits whose power of ten is within 22 is
 * converted exactly by one multiplication or division of two exactly representable doubles
 * (Clinger's fast path); every other number goes through {@link Double#parseDouble}, so each
 * reads as the double nearest its text either way.
 */
final class Decimals {
    private static final double[] POW10 = new double[23];
    /** Mantissas below this are exact in a double. */
    private static final long EXACT_MANTISSA = 1L << 53;

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    private Decimals() {}

    /** A decimal number: {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?}. */
    static boolean isDecimal(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return isDecimal(b, 0, b.length);
    }

    static boolean isDecimal(byte[] b, int s, int e) {
        int i = s;
        if (i < e && (b[i] == '+' || b[i] == '-')) {
            i++;
        }
        int digits = 0;
        while (i < e && isDigit(b[i])) {
            i++;
            digits++;
        }
        if (i < e && b[i] == '.') {
            i++;
            while (i < e && isDigit(b[i])) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < e && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (i < e && (b[i] == '+' || b[i] == '-')) {
                i++;
            }
            int exp = 0;
            while (i < e && isDigit(b[i])) {
                i++;
                exp++;
            }
            if (exp == 0) {
                return false;
            }
        }
        return i == e;
    }

    /** The double nearest the decimal in {@code [s, e)}, which {@link #isDecimal} accepted. */
    static double decimal(byte[] b, int s, int e) {
        int i = s;
        boolean negative = false;
        if (b[i] == '+' || b[i] == '-') {
            negative = b[i] == '-';
            i++;
        }
        long mantissa = 0;
        int significant = 0;
        int exponent = 0;
        boolean dropped = false;
        for (; i < e && isDigit(b[i]); i++) {
            if (significant < 18) {
                mantissa = mantissa * 10 + (b[i] - '0');
                if (mantissa != 0) {
                    significant++;
                }
            } else {
                exponent++;
                dropped |= b[i] != '0';
            }
        }
        if (i < e && b[i] == '.') {
            for (i++; i < e && isDigit(b[i]); i++) {
                if (significant < 18) {
                    mantissa = mantissa * 10 + (b[i] - '0');
                    if (mantissa != 0) {
                        significant++;
                    }
                    exponent--;
                } else {
                    dropped |= b[i] != '0';
                }
            }
        }
        if (i < e) { // [eE][+-]?digits
            i++;
            boolean negExp = false;
            if (b[i] == '+' || b[i] == '-') {
                negExp = b[i] == '-';
                i++;
            }
            int x = 0;
            for (; i < e; i++) {
                x = Math.min(x * 10 + (b[i] - '0'), 100_000);
            }
            exponent += negExp ? -x : x;
        }
        if (!dropped && mantissa < EXACT_MANTISSA && exponent >= -22 && exponent <= 22) {
            // Both operands are exact doubles, so the one rounding of * or / gives the nearest double.
            double v = exponent >= 0 ? mantissa * POW10[exponent] : mantissa / POW10[-exponent];
            return negative ? -v : v;
        }
        return Double.parseDouble(new String(b, s, e - s, StandardCharsets.US_ASCII));
    }

    private static boolean isDigit(byte ch) {
        return ch >= '0' && ch <= '9';
    }
}

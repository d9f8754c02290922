package dev.nabla.json;

/** The few pieces of JSON output the engine writes by hand. */
public final class JsonWriter {
    private JsonWriter() {}

    /**
     * A finite double as a JSON number that reads back to the identical double:
     * {@link Double#toString} prints enough digits to identify the value uniquely, and its
     * forms ({@code 0.25}, {@code 1.0E-5}) are valid JSON numbers.
     */
    public static String number(double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("JSON has no form for " + d);
        }
        return Double.toString(d);
    }

    /** A JSON string literal, with quotes and escapes. */
    public static String string(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}

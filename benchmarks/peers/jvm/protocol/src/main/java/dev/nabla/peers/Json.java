package dev.nabla.peers;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The little JSON the protocol needs: requests are flat objects of strings and numbers; answers are
 * written from maps of strings, numbers, lists of numbers and lists or maps of strings.
 */
final class Json {
    private Json() {}

    /** A flat object's fields: strings as String, numbers as Double, true/false as Boolean. */
    static Map<String, Object> parseFlat(String s) {
        Map<String, Object> m = new LinkedHashMap<>();
        int[] i = {skip(s, 0)};
        expect(s, i, '{');
        if (peek(s, i) == '}') {
            return m;
        }
        while (true) {
            String key = string(s, i);
            expect(s, i, ':');
            char c = peek(s, i);
            Object value;
            if (c == '"') {
                value = string(s, i);
            } else if (s.startsWith("true", i[0]) || s.startsWith("false", i[0])) {
                value = s.startsWith("true", i[0]);
                i[0] += (Boolean) value ? 4 : 5;
            } else {
                int start = i[0];
                while (i[0] < s.length() && "+-.eE0123456789".indexOf(s.charAt(i[0])) >= 0) {
                    i[0]++;
                }
                value = Double.parseDouble(s.substring(start, i[0]));
            }
            m.put(key, value);
            if (peek(s, i) == ',') {
                i[0]++;
                continue;
            }
            expect(s, i, '}');
            return m;
        }
    }

    private static int skip(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static char peek(String s, int[] i) {
        i[0] = skip(s, i[0]);
        if (i[0] >= s.length()) {
            throw new IllegalArgumentException("the request ends early: " + s);
        }
        return s.charAt(i[0]);
    }

    private static void expect(String s, int[] i, char c) {
        if (peek(s, i) != c) {
            throw new IllegalArgumentException("expected '" + c + "' at " + i[0] + " in " + s);
        }
        i[0]++;
    }

    private static String string(String s, int[] i) {
        expect(s, i, '"');
        StringBuilder sb = new StringBuilder();
        while (s.charAt(i[0]) != '"') {
            char c = s.charAt(i[0]++);
            if (c == '\\') {
                char e = s.charAt(i[0]++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(i[0], i[0] + 4), 16));
                        i[0] += 4;
                    }
                    default -> sb.append(e); // \" \\ \/
                }
            } else {
                sb.append(c);
            }
        }
        i[0]++;
        return sb.toString();
    }

    static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v) {
        if (v instanceof String str) {
            quote(sb, str);
        } else if (v instanceof Double d) {
            sb.append(Double.isFinite(d) ? String.format(Locale.ROOT, "%.17g", d) : "NaN");
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> map) {
            sb.append('{');
            String sep = "";
            for (Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(sep);
                quote(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue());
                sep = ", ";
            }
            sb.append('}');
        } else if (v instanceof List<?> list) {
            sb.append('[');
            String sep = "";
            for (Object o : list) {
                sb.append(sep);
                write(sb, o);
                sep = ", ";
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("cannot write " + v);
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}

package dev.nabla.json;

import dev.nabla.InputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON parser (RFC 8259) that remembers where every value starts. Malformed input is an
 * {@link InputException} naming {@code source:line:column} and what was expected there.
 */
public final class JsonParser {
    /** Deeper nesting than any model file needs; stops a hostile file from overflowing the stack. */
    private static final int MAX_DEPTH = 64;

    private final String text;
    private final String source;
    private int pos;
    private int line = 1;
    private int lineStart;

    private JsonParser(String text, String source) {
        this.text = text;
        this.source = source;
    }

    /** Parses one JSON document; {@code source} names it in messages (usually the file name). */
    public static JsonNode parse(String text, String source) {
        JsonParser p = new JsonParser(text, source);
        if (p.text.startsWith("\uFEFF")) {
            p.pos = 1; // a UTF-8 byte order mark is not part of the document
            p.lineStart = 1;
        }
        p.skipWhitespace();
        if (p.pos == p.text.length()) {
            throw p.error("the file is empty; expected a JSON value");
        }
        JsonNode root = p.value(0);
        p.skipWhitespace();
        if (p.pos != p.text.length()) {
            throw p.error("unexpected " + p.describeHere() + " after the end of the JSON value");
        }
        return root;
    }

    private JsonNode value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH + " levels");
        }
        int l = line;
        int c = column();
        if (pos >= text.length()) {
            throw error("unexpected end of file; expected a value");
        }
        char ch = text.charAt(pos);
        Object v;
        switch (ch) {
            case '{' -> v = object(depth);
            case '[' -> v = array(depth);
            case '"' -> v = string();
            case 't' -> v = literal("true", Boolean.TRUE);
            case 'f' -> v = literal("false", Boolean.FALSE);
            case 'n' -> v = literal("null", null);
            default -> {
                if (ch == '-' || (ch >= '0' && ch <= '9')) {
                    v = number();
                } else {
                    throw error("unexpected " + describeHere() + "; expected a value");
                }
            }
        }
        return new JsonNode(v, source, l, c);
    }

    private Map<String, JsonNode> object(int depth) {
        Map<String, JsonNode> members = new LinkedHashMap<>();
        pos++; // '{'
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return members;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("unexpected " + describeHere() + "; expected a key in double quotes");
            }
            int l = line;
            int c = column();
            String key = string();
            if (members.containsKey(key)) {
                throw new InputException(source + ":" + l + ":" + c + ": key '" + key + "' appears twice");
            }
            skipWhitespace();
            expect(':');
            skipWhitespace();
            members.put(key, value(depth + 1));
            skipWhitespace();
            char ch = peek();
            if (ch == ',') {
                pos++;
            } else if (ch == '}') {
                pos++;
                return members;
            } else {
                throw error("unexpected " + describeHere() + "; expected ',' or '}'");
            }
        }
    }

    private List<JsonNode> array(int depth) {
        List<JsonNode> items = new ArrayList<>();
        pos++; // '['
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return items;
        }
        while (true) {
            skipWhitespace();
            items.add(value(depth + 1));
            skipWhitespace();
            char ch = peek();
            if (ch == ',') {
                pos++;
            } else if (ch == ']') {
                pos++;
                return items;
            } else {
                throw error("unexpected " + describeHere() + "; expected ',' or ']'");
            }
        }
    }

    private String string() {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("unexpected end of file inside a string");
            }
            char ch = text.charAt(pos);
            if (ch == '"') {
                pos++;
                return sb.toString();
            } else if (ch == '\\') {
                pos++;
                sb.append(escape());
            } else if (ch < 0x20) {
                throw error("control character inside a string (a line break needs \\n)");
            } else {
                sb.append(ch);
                pos++;
            }
        }
    }

    private char escape() {
        if (pos >= text.length()) {
            throw error("unexpected end of file inside a string");
        }
        char ch = text.charAt(pos++);
        switch (ch) {
            case '"':
                return '"';
            case '\\':
                return '\\';
            case '/':
                return '/';
            case 'b':
                return '\b';
            case 'f':
                return '\f';
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'u':
                if (pos + 4 > text.length()) {
                    throw error("incomplete \\u escape");
                }
                try {
                    char u = (char) Integer.parseInt(text.substring(pos, pos + 4), 16);
                    pos += 4;
                    return u;
                } catch (NumberFormatException e) {
                    throw error("bad \\u escape '" + text.substring(pos, pos + 4) + "'");
                }
            default:
                pos--;
                throw error("unknown escape '\\" + ch + "' in a string");
        }
    }

    /** A number in JSON's grammar exactly: {@code -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?}. */
    private Double number() {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw error("a number needs a digit after '-'");
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw error("a number needs a digit after '.'");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("a number needs a digit in its exponent");
            }
            digits();
        }
        if (Character.isLetterOrDigit(peek()) || peek() == '.') {
            throw error("unexpected " + describeHere() + " in a number");
        }
        return Double.parseDouble(text.substring(start, pos));
    }

    private void digits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }

    private Object literal(String word, Object v) {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected " + describeHere() + "; expected a value");
        }
        pos += word.length();
        return v;
    }

    private void expect(char ch) {
        if (peek() != ch) {
            throw error("unexpected " + describeHere() + "; expected '" + ch + "'");
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char ch = text.charAt(pos);
            if (ch == '\n') {
                line++;
                lineStart = pos + 1;
            } else if (ch != ' ' && ch != '\t' && ch != '\r') {
                return;
            }
            pos++;
        }
    }

    private int column() {
        return pos - lineStart + 1;
    }

    private String describeHere() {
        if (pos >= text.length()) {
            return "end of file";
        }
        int end = pos;
        while (end < text.length()
                && end - pos < 12
                && !Character.isWhitespace(text.charAt(end))
                && (end == pos || Character.isLetterOrDigit(text.charAt(end)))) {
            end++;
        }
        return "'" + text.substring(pos, end) + "'";
    }

    private InputException error(String message) {
        return new InputException(source + ":" + line + ":" + column() + ": " + message);
    }
}

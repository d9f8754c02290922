package dev.nabla.json;

import dev.nabla.InputException;
import java.util.List;
import java.util.Map;

/**
 * One value of a parsed JSON document and where it starts ({@code line}, {@code column}, both
 * from 1), so that a reader can say exactly where a value it rejects is.
 *
 * <p>{@code value} is a {@code Map<String, JsonNode>} (keys in document order), a
 * {@code List<JsonNode>}, a {@link String}, a {@link Double}, a {@link Boolean}, or {@code null}.
 */
public record JsonNode(Object value, String source, int line, int column) {

    /** {@code source:line:column}, the prefix of every message about this value. */
    public String where() {
        return source + ":" + line + ":" + column;
    }

    /** An {@link InputException} that names this value's place. */
    public InputException error(String message) {
        return new InputException(where() + ": " + message);
    }

    /** The members of an object, in the file's order; another value is an {@link InputException} naming {@code what}. */
    @SuppressWarnings("unchecked")
    public Map<String, JsonNode> asObject(String what) {
        if (value instanceof Map) {
            return (Map<String, JsonNode>) value;
        }
        throw error(what + " must be an object, not " + typeName());
    }

    /** The elements of an array; another value is an {@link InputException} naming {@code what}. */
    @SuppressWarnings("unchecked")
    public List<JsonNode> asArray(String what) {
        if (value instanceof List) {
            return (List<JsonNode>) value;
        }
        throw error(what + " must be an array, not " + typeName());
    }

    /** A string; another value is an {@link InputException} naming {@code what}. */
    public String asString(String what) {
        if (value instanceof String s) {
            return s;
        }
        throw error(what + " must be a string, not " + typeName());
    }

    /** A finite number. */
    public double asDouble(String what) {
        if (value instanceof Double d) {
            if (!Double.isFinite(d)) {
                throw error(what + " is out of the range of a double");
            }
            return d;
        }
        throw error(what + " must be a number, not " + typeName());
    }

    /** A whole number in {@code [min, Integer.MAX_VALUE]}. */
    public int asInt(String what, int min) {
        double d = asDouble(what);
        if (d != Math.rint(d) || d < min || d > Integer.MAX_VALUE) {
            String shown = d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
            throw error(what + " must be a whole number of at least " + min + ", not " + shown);
        }
        return (int) d;
    }

    /** {@code "an object"}, {@code "a string"}, ... for messages. */
    public String typeName() {
        if (value instanceof Map) {
            return "an object";
        } else if (value instanceof List) {
            return "an array";
        } else if (value instanceof String) {
            return "a string";
        } else if (value instanceof Double) {
            return "a number";
        } else if (value instanceof Boolean) {
            return "a boolean";
        }
        return "null";
    }
}

package dev.nabla.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonParserTest {

    @Test
    void parsesValuesAndRemembersWhereTheyStart() {
        JsonNode root = JsonParser.parse("{\"a\": [1, -2.5e3, true, null],\n \"b\": \"x\\u0041\\n\"}", "f");
        Map<String, JsonNode> m = root.asObject("root");
        List<JsonNode> a = m.get("a").asArray("a");
        assertEquals(1.0, a.get(0).value());
        assertEquals(-2500.0, a.get(1).value());
        assertEquals(Boolean.TRUE, a.get(2).value());
        assertEquals(null, a.get(3).value());
        assertEquals("xA\n", m.get("b").value());
        assertEquals(2, m.get("b").line());
        assertEquals(7, m.get("b").column());
        assertEquals("f:2:7", m.get("b").where());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "{",
                "[1,]",
                "{\"a\":1,}",
                "01",
                "1.",
                ".5",
                "+1",
                "NaN",
                "Infinity",
                "[1 2]",
                "{\"a\" 1}",
                "{'a': 1}",
                "tru",
                "\"unterminated",
                "\"bad \\x escape\"",
                "{\"a\":1} x",
                "[-]",
                "1e",
                "{\"a\":1,\"a\":2}"
            })
    void rejectsWhatRfc8259Rejects(String text) {
        InputException e = assertThrows(InputException.class, () -> JsonParser.parse(text, "f"));
        assertTrue(e.getMessage().startsWith("f:1:"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "[1,]|f:1:4: unexpected ']'; expected a value",
                "{\"a\":1,\"a\":2}|f:1:8: key 'a' appears twice",
                "[1 2]|f:1:4: unexpected '2'; expected ',' or ']'"
            })
    void saysWhatWasExpectedWhere(String text, String message) {
        assertEquals(
                message,
                assertThrows(InputException.class, () -> JsonParser.parse(text, "f"))
                        .getMessage());
    }

    @Test
    void refusesHostileNesting() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        InputException e = assertThrows(InputException.class, () -> JsonParser.parse(deep, "f"));
        assertTrue(e.getMessage().contains("nesting deeper than"), e.getMessage());
    }
}

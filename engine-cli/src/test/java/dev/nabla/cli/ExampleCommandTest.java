package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code engine example} prints every value of the document, labelled as the document labels them. */
class ExampleCommandTest {

    /** Every value of the walkthrough, as printed there (8 decimals). */
    private static final Object[][] DOCUMENT = {
        {"z1", "0.08000000"},
        {"z2", "0.11000000"},
        {"h1", "0.51998934"},
        {"h2", "0.52747230"},
        {"z3", "0.44498412"},
        {"z4", "0.68047592"},
        {"o1", "0.60944600"},
        {"o2", "0.66384491"},
        {"E_o1", "0.02193381"},
        {"E_o2", "0.00203809"},
        {"dE/do1", "0.20944600"},
        {"do1/dz3", "0.23802157"},
        {"dz3/dW5", "0.51998934"},
        {"dE/dW5", "0.02592286"},
        {"dE/dW6", "0.02629590"},
        {"dE/dW7", "0.00740844"},
        {"dE/dW8", "0.00751506"},
        {"W5+", "0.43703857"},
        {"W6+", "0.38685205"},
        {"W7+", "0.69629578"},
        {"W8+", "0.59624247"},
        {"W1+", "0.29959556"},
        {"W2+", "0.24919112"},
        {"W3+", "0.39964496"},
        {"W4+", "0.34928991"},
        {"error fell by", "0.00073556"},
    };

    @Test
    void printsEveryValueOfTheWalkthroughOnTheCpu() {
        Cli r = Cli.run("example", "--backend", "cpu");
        assertEquals(0, r.code(), r.toString());
        Map<String, String> printed = new HashMap<>();
        Matcher m = Pattern.compile("^\\s+(\\S.*?)\\s+= (-?\\d+\\.\\d{8})$", Pattern.MULTILINE)
                .matcher(r.out());
        int totals = 0;
        while (m.find()) {
            if (m.group(1).equals("E_total")) {
                printed.put(totals++ == 0 ? "E_total" : "E_total after", m.group(2));
            } else {
                printed.put(m.group(1), m.group(2));
            }
        }
        for (Object[] v : DOCUMENT) {
            assertEquals(v[1], printed.get((String) v[0]), "value of " + v[0] + " in\n" + r.out());
        }
        assertEquals("0.02397190", printed.get("E_total"));
        assertEquals("0.02323634", printed.get("E_total after"));
        assertTrue(r.out().contains("backend: cpu fp64"), r.out());
    }

    @Test
    void autoNamesTheBackendItPicked() {
        Cli r = Cli.run("example");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("backend: "), r.out());
        assertTrue(r.out().contains("(auto"), r.out());
    }
}

package dev.nabla.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example project builds against this build's artifacts through nabla-bom, as a user's
 * project would, and what it trains comes out right: the document's numbers and a classifier that
 * classifies.
 */
class ExamplesIT {
    /** The document's values after its one step (E_total before and after it, then W1+ .. W8+), to 8 decimals. */
    private static final Map<String, Double> DOCUMENT = new LinkedHashMap<>();

    static {
        DOCUMENT.put("E_total before", 0.02397190);
        DOCUMENT.put("E_total after", 0.02323634);
        DOCUMENT.put("W1+", 0.29959556);
        DOCUMENT.put("W2+", 0.24919112);
        DOCUMENT.put("W3+", 0.39964496);
        DOCUMENT.put("W4+", 0.34928991);
        DOCUMENT.put("W5+", 0.43703857);
        DOCUMENT.put("W6+", 0.38685205);
        DOCUMENT.put("W7+", 0.69629578);
        DOCUMENT.put("W8+", 0.59624247);
    }

    /** The document rounds to 8 decimals and the example prints 10, so the two agree within 1e-8. */
    private static final double DOCUMENT_TOLERANCE = 1e-8;

    /** The classifier reaches about 99% on its test images; below this it no longer learns as it should. */
    private static final double MIN_TEST_ACCURACY = 95.0;

    private static Path project;

    @BeforeAll
    static void buildTheExampleProject() throws IOException, InterruptedException {
        Path work = Path.of("target", "example-build").toAbsolutePath();
        deleteTree(work);
        project = ExampleBuild.build(Files.createDirectories(work));
    }

    @Test
    void theDocumentExampleReproducesTheDocumentsStep() throws IOException, InterruptedException {
        ExampleBuild.Run r = ExampleBuild.runExample(project, "document");
        assertEquals(0, r.code(), "java -jar nabla-examples.jar document failed:\n" + r.output());
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Double> e : DOCUMENT.entrySet()) {
            Matcher m = Pattern.compile("^" + Pattern.quote(e.getKey()) + " *= (\\S+)$", Pattern.MULTILINE)
                    .matcher(r.output());
            if (!m.find()) {
                wrong.add(e.getKey() + " is not printed");
            } else if (!(Math.abs(Double.parseDouble(m.group(1)) - e.getValue()) <= DOCUMENT_TOLERANCE)) {
                wrong.add(e.getKey() + " = " + m.group(1) + ", the document has " + e.getValue());
            }
        }
        assertTrue(
                wrong.isEmpty(),
                "the document example is not the document's to " + DOCUMENT_TOLERANCE + ": " + wrong + "\n"
                        + r.output());
    }

    @Test
    void theDigitsClassifierClassifiesTestImages() throws IOException, InterruptedException {
        ExampleBuild.Run r = ExampleBuild.runExample(project, "digits");
        assertEquals(0, r.code(), "java -jar nabla-examples.jar digits failed:\n" + r.output());
        Matcher m = Pattern.compile("^test accuracy: ([0-9.]+)% \\((\\d+) of 500 images\\)$", Pattern.MULTILINE)
                .matcher(r.output());
        assertTrue(m.find(), "the digits example prints no test accuracy:\n" + r.output());
        double accuracy = Double.parseDouble(m.group(1));
        assertTrue(
                accuracy >= MIN_TEST_ACCURACY,
                "the digits classifier classified " + accuracy + "% of its test images right, under "
                        + MIN_TEST_ACCURACY + "%:\n" + r.output());
        assertTrue(r.output().contains("epoch 15/15  loss "), "every epoch's loss is printed:\n" + r.output());
    }

    @Test
    void anUnknownExampleIsRefusedInOneLine() throws IOException, InterruptedException {
        ExampleBuild.Run r = ExampleBuild.runExample(project, "mnist");
        assertEquals(2, r.code(), r.output());
        assertEquals(
                List.of("nabla-examples: expected one of document, digits or nothing (both), not 'mnist'"),
                r.output().lines().toList());
    }

    /** What nabla-bom promises: its version is Nabla's, and each artifact it names is one this build made. */
    @Test
    void theBomNamesThisVersionAndOnlyArtifactsThisBuildMakes() throws IOException {
        String bom = Files.readString(Path.of(ExampleBuild.property("nabla.bom")), StandardCharsets.UTF_8);
        String version = ExampleBuild.property("nabla.version");
        Matcher own = Pattern.compile("<artifactId>nabla-bom</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(bom);
        assertTrue(own.find(), "nabla-bom/pom.xml has no version after its artifactId");
        assertEquals(version, own.group(1), "nabla-bom/pom.xml's version must be the parent pom's");

        String managed = bom.substring(bom.indexOf("<dependencyManagement>"), bom.indexOf("</dependencyManagement>"));
        Matcher a = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(managed);
        List<String> named = new ArrayList<>();
        while (a.find()) {
            named.add(a.group(1));
        }
        assertTrue(named.size() >= 6, "nabla-bom manages " + named);
        Path staged = Path.of(ExampleBuild.property("staging.repository"), "dev", "nabla");
        for (String artifact : named) {
            Path jar = staged.resolve(Path.of(artifact, version, artifact + "-" + version + ".jar"));
            if (!Files.isRegularFile(jar)) {
                fail("nabla-bom names dev.nabla:" + artifact + ", which this build did not stage at " + jar
                        + ": no module builds it, or examples-test/pom.xml does not depend on it");
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}

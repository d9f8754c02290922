package dev.nabla.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.cpu.PrecisionTemplates.Precision;
import dev.nabla.cpu.PrecisionTemplates.TemplateException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The checked-in FP64 and FP32 classes are their templates' expansions, and the expander does
 * what {@link PrecisionTemplates} says: placeholders, rounding casts, the literal rule, line blocks
 * and their errors.
 */
class PrecisionTemplatesTest {
    /** Surefire runs in the module's directory. */
    private static final Path MODULE = Path.of("");

    private static String fp64(String template) {
        return PrecisionTemplates.expand("T", template, Precision.FP64);
    }

    private static String fp32(String template) {
        return PrecisionTemplates.expand("T", template, Precision.FP32);
    }

    @Test
    void everyGeneratedFileIsItsTemplatesExpansion() throws IOException {
        Map<Path, String> generated = PrecisionTemplates.generate(MODULE);
        assertFalse(
                generated.isEmpty(),
                "no templates under " + MODULE.toAbsolutePath().resolve(PrecisionTemplates.TEMPLATES));
        List<String> problems = new ArrayList<>();
        for (Map.Entry<Path, String> e : generated.entrySet()) {
            Path file = e.getKey();
            String actual = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
            PrecisionTemplates.firstDifference("engine-cpu/" + file, e.getValue(), actual)
                    .ifPresent(problems::add);
        }
        for (Path orphan : PrecisionTemplates.orphans(MODULE, generated)) {
            problems.add("engine-cpu/" + orphan + " says it is generated, but no template makes it; delete it or "
                    + "restore its template, then run: " + PrecisionTemplates.COMMAND);
        }
        assertTrue(problems.isEmpty(), String.join("\n\n", problems));
    }

    @Test
    void placeholdersAreTheTypesOfEachPrecision() {
        String t = "final class Gemm$fp$ { $type$[] c; $Type$ boxed; $bits$ b; $Bits$Vector v; $other$[] o; }";
        assertEquals("final class GemmFp64 { double[] c; Double boxed; long b; LongVector v; float[] o; }\n", fp64(t));
        assertEquals("final class GemmFp32 { float[] c; Float boxed; int b; IntVector v; double[] o; }\n", fp32(t));
        assertEquals(
                "double r = Double.doubleToRawLongBits(x);\n", fp64("$type$ r = $Type$.$type$ToRaw$Bits$Bits(x);"));
        assertEquals("float r = Float.floatToRawIntBits(x);\n", fp32("$type$ r = $Type$.$type$ToRaw$Bits$Bits(x);"));
    }

    @Test
    void roundingCastsAreWrittenOnlyWhereTheyNarrow() {
        String t = "out[j] = $round$(s + beta * out[j]); back[i] = $roundOther$in[i];";
        assertEquals("out[j] = (s + beta * out[j]); back[i] = (float) in[i];\n", fp64(t));
        assertEquals("out[j] = (float) (s + beta * out[j]); back[i] = in[i];\n", fp32(t));
    }

    @Test
    void unknownPlaceholdersAndStrayDollarsAreErrors() {
        TemplateException e = assertThrows(TemplateException.class, () -> fp64("ok\n$tpye$ x;"));
        assertTrue(e.getMessage().startsWith("T:2: unknown placeholder $tpye$"), e.getMessage());
        e = assertThrows(TemplateException.class, () -> fp32("$type x;"));
        assertTrue(e.getMessage().startsWith("T:1: a '$' that is no placeholder"), e.getMessage());
    }

    @Test
    void floatingPointLiteralsFollowTheElementTypeUnlessWrittenWithD() {
        String t = "x = 0.0 + 1.5e-3 * .5 + 2e10 + 0x1.8p52 - 7.;";
        assertEquals(t + "\n", fp64(t));
        assertEquals("x = 0.0f + 1.5e-3f * .5f + 2e10f + 0x1.8p52f - 7.f;\n", fp32(t));
        String suffixed = "s += 0.5d * d; y = 1.0f + 2.5D + 3.0F;";
        assertEquals(suffixed + "\n", fp32(suffixed));
        assertEquals(suffixed + "\n", fp64(suffixed));
    }

    @Test
    void integersIdentifiersCommentsAndStringsKeepTheirDigits() {
        String t = "int i = 10 + 0x1F + 0b101 + 1_000 + 7L; c00.intoArray(tile, 2 * NR); x1 = f2(3);\n"
                + "// degree 13, below 1e-17\n"
                + "/* 0.5 of it */ String s = \"1.5\"; char c = '1'; y = 2.0; /** 1.0 */\n";
        assertEquals(
                "int i = 10 + 0x1F + 0b101 + 1_000 + 7L; c00.intoArray(tile, 2 * NR); x1 = f2(3);\n"
                        + "// degree 13, below 1e-17\n"
                        + "/* 0.5 of it */ String s = \"1.5\"; char c = '1'; y = 2.0f; /** 1.0 */\n",
                fp32(t));
    }

    @Test
    void blocksKeepTheirLinesInOnePrecision() {
        String t = "a\n#if[fp64]\nb64\n#else[fp64]\nb32\n#end[fp64]\n  #if[fp32]\nc32\n  #end[fp32]\nd\n";
        assertEquals("a\nb64\nd\n", fp64(t));
        assertEquals("a\nb32\nc32\nd\n", fp32(t));
    }

    @Test
    void blocksNest() {
        String t = "#if[fp64]\nx\n#if[fp32]\nnever\n#else[fp32]\ny\n#end[fp32]\n#else[fp64]\n"
                + "#if[fp32]\nz\n#end[fp32]\n#end[fp64]\nw\n";
        assertEquals("x\ny\nw\n", fp64(t));
        assertEquals("z\nw\n", fp32(t));
    }

    @Test
    void badBlocksAreErrorsThatNameTheLine() {
        assertError("a\n#end[fp64]\n", "T:2: #end[fp64] without an #if");
        assertError("#else[fp32]\n", "T:1: #else[fp32] without an #if");
        assertError("#if[fp64]\nx\n", "T:1: #if[fp64] is never closed with #end[fp64]");
        assertError("#if[fp64]\n#if[fp32]\n#end[fp64]\n", "T:3: #end[fp64] closes #if[fp32] of line 2");
        assertError(
                "#if[fp64]\n#else[fp64]\n#else[fp64]\n#end[fp64]\n",
                "T:3: a second #else[fp64] for #if[fp64] of line 1");
        assertError("#if[fp16]\n#end[fp16]\n", "T:1: unknown block key 'fp16'");
        assertError("#elif[fp64]\n", "T:1: unknown directive #elif");
        assertError("#if fp64\n", "T:1: not a directive");
    }

    private static void assertError(String template, String start) {
        for (Precision p : Precision.values()) {
            TemplateException e =
                    assertThrows(TemplateException.class, () -> PrecisionTemplates.expand("T", template, p));
            assertTrue(e.getMessage().startsWith(start), p + ": " + e.getMessage());
        }
    }

    @Test
    void aGeneratedFileSaysWhereItCameFromAndHowToRegenerate() {
        String name = "engine-cpu/src/main/templates/dev/nabla/cpu/AxpyFpN.java.template";
        String text = PrecisionTemplates.generated(name, "final class Axpy$fp$ {\n}\n", Precision.FP32);
        assertEquals(
                "// Generated from " + name + " by PrecisionTemplates; edit the template, then run: "
                        + "java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java\nfinal class AxpyFp32 {\n}\n",
                text);
        assertEquals("AxpyFp64.java", PrecisionTemplates.outputName("AxpyFpN.java.template", Precision.FP64));
        TemplateException e = assertThrows(
                TemplateException.class,
                () -> PrecisionTemplates.generated(name, "final class Axpy {\n}\n", Precision.FP64));
        assertTrue(e.getMessage().contains("expands to no class AxpyFp64"), e.getMessage());
    }

    @Test
    void aDifferenceNamesTheFileTheFirstDifferingLineAndTheCommand() {
        Optional<String> same = PrecisionTemplates.firstDifference("F.java", "a\nb\n", "a\nb\n");
        assertTrue(same.isEmpty());
        String msg = PrecisionTemplates.firstDifference("F.java", "a\nb\nc\n", "a\nB\nc\n")
                .orElseThrow();
        assertTrue(
                msg.startsWith("F.java differs from its template: line 2 is\n  B\nbut the template gives\n  b"), msg);
        assertTrue(msg.endsWith("run: " + PrecisionTemplates.COMMAND), msg);
        assertTrue(PrecisionTemplates.firstDifference("F.java", "a\nb\n", "a\n")
                .orElseThrow()
                .contains("it ends at line 1; the template goes on with\n  b"));
        assertTrue(PrecisionTemplates.firstDifference("F.java", "a\n", "a\nb\n")
                .orElseThrow()
                .contains("past the template's end, at line 2"));
        assertTrue(PrecisionTemplates.firstDifference("F.java", "a\n", null)
                .orElseThrow()
                .startsWith("F.java is missing; run: "));
    }
}

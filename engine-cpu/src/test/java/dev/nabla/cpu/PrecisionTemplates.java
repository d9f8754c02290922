package dev.nabla.cpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Expands the CPU backend's precision templates into its FP64 and FP32 classes, as the JDK
 * generates its vector classes from {@code X-Vector.java.template}. Plain Java, the JDK only, one
 * file, so that it runs without a build from the repository's root:
 * <pre>
 *   java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java          (writes the generated files)
 *   java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java --check  (only says which differ)
 * </pre>
 *
 * <p>A template {@code src/main/templates/dev/nabla/cpu/NameFpN.java.template} becomes
 * {@code src/main/java/dev/nabla/cpu/NameFp64.java} and {@code NameFp32.java}, each opening with a
 * comment that says where it came from. The generated files are checked in; {@code
 * PrecisionTemplatesTest} fails when one differs from its template's expansion. In a template:
 *
 * <ul>
 *   <li>Placeholders, anywhere (code and comments): {@code $type$} is {@code double} / {@code float},
 *       {@code $Type$} {@code Double} / {@code Float}, {@code $fp$} {@code Fp64} / {@code Fp32} (in
 *       class names), {@code $bits$} / {@code $Bits$} {@code long} / {@code Long}, {@code int} /
 *       {@code Int} (the integer of the same width, for bit tricks), {@code $other$} the other
 *       precision's type ({@code float} / {@code double}).
 *   <li>Rounding casts: {@code $round$} is written where a {@code double} value is stored into the
 *       element type; it is {@code (float) } in FP32 and nothing in FP64 (where a cast would be
 *       redundant, which {@code -Xlint:cast} reports). {@code $roundOther$} is the same for storing
 *       an element into {@code $other$}: {@code (float) } in FP64, nothing in FP32. Write them
 *       directly before the value: {@code $round$(s + beta * out[j])}.
 *   <li>Floating-point literals follow the element type: in the FP32 expansion every
 *       floating-point literal without a suffix ({@code 0.0}, {@code 1e-3}, {@code 0x1.8p52}) gets
 *       {@code f}. A literal that must stay a double in FP32 too (a sum kept in double, say) is
 *       written with {@code d} ({@code 0.5d}), which both expansions keep as written; one written
 *       with {@code f} stays float. Integer literals, comments and strings are left alone.
 *   <li>Line blocks, each directive alone on its line: {@code #if[fp64]}, optionally
 *       {@code #else[fp64]}, then {@code #end[fp64]} (or {@code fp32}) keep their lines in one
 *       precision only. Blocks nest; a directive that does not match its block is an error.
 * </ul>
 *
 * A {@code $} left over after the placeholders is an error (a misspelt placeholder), as is an
 * unknown directive.
 */
public final class PrecisionTemplates {
    /** The command that regenerates, from the repository's root. */
    static final String COMMAND = "java engine-cpu/src/test/java/dev/nabla/cpu/PrecisionTemplates.java";

    static final String TEMPLATES = "src/main/templates/dev/nabla/cpu";
    static final String SOURCES = "src/main/java/dev/nabla/cpu";
    static final String SUFFIX = "FpN.java.template";
    /** How every generated file starts. */
    static final String GENERATED_MARK = "// Generated from ";

    /** The two expansions of every template. */
    enum Precision {
        FP64("fp64", "double", "Double", "Fp64", "long", "Long", "float", "", "(float) "),
        FP32("fp32", "float", "Float", "Fp32", "int", "Int", "double", "(float) ", "");

        final String key;
        final Map<String, String> placeholders = new LinkedHashMap<>();

        Precision(
                String key,
                String type,
                String boxed,
                String fp,
                String bits,
                String boxedBits,
                String other,
                String round,
                String roundOther) {
            this.key = key;
            placeholders.put("type", type);
            placeholders.put("Type", boxed);
            placeholders.put("fp", fp);
            placeholders.put("bits", bits);
            placeholders.put("Bits", boxedBits);
            placeholders.put("other", other);
            placeholders.put("round", round);
            placeholders.put("roundOther", roundOther);
        }

        String fp() {
            return placeholders.get("fp");
        }
    }

    /** A template that cannot be expanded; the message names the line. */
    static final class TemplateException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TemplateException(String template, int line, String message) {
            super(template + ":" + line + ": " + message);
        }
    }

    /** An open {@code #if} block. */
    private static final class Block {
        final String key;
        final int line;
        /** Whether the lines around the block are kept: its own are kept only then. */
        final boolean outerKeeps;

        boolean hasElse;

        Block(String key, int line, boolean outerKeeps) {
            this.key = key;
            this.line = line;
            this.outerKeeps = outerKeeps;
        }
    }

    private static final Pattern DIRECTIVE = Pattern.compile("\\s*#(\\w+)\\[(\\w+)]\\s*");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$(\\w+)\\$");

    private PrecisionTemplates() {}

    public static void main(String[] args) throws IOException {
        boolean check = args.length > 0 && args[0].equals("--check");
        Path module = Files.isDirectory(Path.of("engine-cpu", TEMPLATES)) ? Path.of("engine-cpu") : Path.of(".");
        if (!Files.isDirectory(module.resolve(TEMPLATES))) {
            System.err.println("run from the repository's root: no engine-cpu/" + TEMPLATES + " here");
            System.exit(2);
        }
        int changed = 0;
        for (Map.Entry<Path, String> e : generate(module).entrySet()) {
            Path file = e.getKey();
            String old = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
            if (e.getValue().equals(old)) {
                continue;
            }
            changed++;
            if (check) {
                System.out.println("differs: " + file);
            } else {
                Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
                System.out.println("wrote " + file);
            }
        }
        System.out.println(
                changed == 0
                        ? "all generated files match their templates"
                        : changed + (check ? " generated file(s) differ; run: " + COMMAND : " file(s) written"));
        System.exit(check && changed > 0 ? 1 : 0);
    }

    /** The templates of a module, sorted by name. */
    static List<Path> templates(Path module) {
        try (Stream<Path> files = Files.list(module.resolve(TEMPLATES))) {
            return files.filter(p -> p.getFileName().toString().endsWith(SUFFIX))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every generated file of a module, path to the text it should hold, in template order. */
    static Map<Path, String> generate(Path module) {
        Map<Path, String> out = new LinkedHashMap<>();
        for (Path template : templates(module)) {
            String text;
            try {
                text = Files.readString(template, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String name = "engine-cpu/" + TEMPLATES + "/" + template.getFileName();
            for (Precision p : Precision.values()) {
                out.put(
                        module.resolve(SOURCES)
                                .resolve(outputName(template.getFileName().toString(), p)),
                        generated(name, text, p));
            }
        }
        return out;
    }

    /** {@code NameFpN.java.template} to {@code NameFp64.java} or {@code NameFp32.java}. */
    static String outputName(String templateName, Precision p) {
        if (!templateName.endsWith(SUFFIX)) {
            throw new IllegalArgumentException(templateName + " does not end in " + SUFFIX);
        }
        return templateName.substring(0, templateName.length() - SUFFIX.length()) + p.fp() + ".java";
    }

    /** The generated file: the header comment, then the expansion. */
    static String generated(String templateName, String text, Precision p) {
        String body = expand(templateName, text, p);
        String base = templateName.substring(templateName.lastIndexOf('/') + 1);
        String cls = outputName(base, p).replace(".java", "");
        if (!Pattern.compile("\\b(class|interface|record|enum) " + cls + "\\b")
                .matcher(body)
                .find()) {
            throw new TemplateException(
                    templateName, 1, "expands to no class " + cls + " (name it " + base.replace(SUFFIX, "") + "$fp$)");
        }
        return GENERATED_MARK + templateName + " by PrecisionTemplates; edit the template, then run: " + COMMAND + "\n"
                + body;
    }

    /** A template's text in one precision: blocks, then placeholders, then the literal rule. */
    static String expand(String templateName, String text, Precision p) {
        List<String> lines = text.lines().toList();
        StringBuilder out = new StringBuilder();
        Deque<Block> open = new ArrayDeque<>();
        boolean keep = true;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int number = i + 1;
            if (!line.strip().startsWith("#")) {
                if (keep) {
                    out.append(placeholders(templateName, number, line, p)).append('\n');
                }
                continue;
            }
            Matcher d = DIRECTIVE.matcher(line);
            if (!d.matches()) {
                throw new TemplateException(
                        templateName,
                        number,
                        "not a directive (#if[fp64], #else[fp64], " + "#end[fp64]): " + line.strip());
            }
            String what = d.group(1);
            String key = d.group(2);
            if (!key.equals(Precision.FP64.key) && !key.equals(Precision.FP32.key)) {
                throw new TemplateException(templateName, number, "unknown block key '" + key + "' (fp64 or fp32)");
            }
            if (what.equals("if")) {
                open.push(new Block(key, number, keep));
                keep = keep && key.equals(p.key);
                continue;
            }
            if (!what.equals("else") && !what.equals("end")) {
                throw new TemplateException(templateName, number, "unknown directive #" + what + " (#if, #else, #end)");
            }
            Block block = open.peek();
            if (block == null) {
                throw new TemplateException(templateName, number, "#" + what + "[" + key + "] without an #if");
            }
            if (!block.key.equals(key)) {
                throw new TemplateException(
                        templateName,
                        number,
                        "#" + what + "[" + key + "] closes #if[" + block.key + "] of line " + block.line);
            }
            if (what.equals("end")) {
                open.pop();
                keep = block.outerKeeps;
            } else if (block.hasElse) {
                throw new TemplateException(
                        templateName, number, "a second #else[" + key + "] for #if[" + key + "] of line " + block.line);
            } else {
                block.hasElse = true;
                keep = block.outerKeeps && !key.equals(p.key);
            }
        }
        if (!open.isEmpty()) {
            Block block = open.peek();
            throw new TemplateException(
                    templateName, block.line, "#if[" + block.key + "] is never closed with #end[" + block.key + "]");
        }
        return p == Precision.FP32 ? floatLiterals(out.toString()) : out.toString();
    }

    private static String placeholders(String templateName, int number, String line, Precision p) {
        Matcher m = PLACEHOLDER.matcher(line);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = p.placeholders.get(m.group(1));
            if (value == null) {
                throw new TemplateException(
                        templateName,
                        number,
                        "unknown placeholder $" + m.group(1) + "$ (known: " + String.join(", ", p.placeholders.keySet())
                                + ")");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        int stray = sb.indexOf("$");
        if (stray >= 0) {
            throw new TemplateException(templateName, number, "a '$' that is no placeholder: " + line.strip());
        }
        return sb.toString();
    }

    /**
     * The FP32 literal rule: {@code f} after every floating-point literal that has no suffix, in
     * code only (not in comments, strings or characters). Identifiers such as {@code c01} hold no
     * literal.
     */
    static String floatLiterals(String code) {
        StringBuilder out = new StringBuilder(code.length() + 64);
        int n = code.length();
        int i = 0;
        while (i < n) {
            char c = code.charAt(i);
            int start = i;
            if (c == '/' && i + 1 < n && code.charAt(i + 1) == '/') {
                i = code.indexOf('\n', i);
                i = i < 0 ? n : i;
            } else if (c == '/' && i + 1 < n && code.charAt(i + 1) == '*') {
                int end = code.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (code.startsWith("\"\"\"", i)) {
                int end = code.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && code.charAt(i) != c && code.charAt(i) != '\n') {
                    i += code.charAt(i) == '\\' ? 2 : 1;
                }
                i = Math.min(n, i + 1);
            } else if (Character.isJavaIdentifierStart(c)) {
                while (i < n && Character.isJavaIdentifierPart(code.charAt(i))) {
                    i++;
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(code.charAt(i + 1)))) {
                i = number(code, i);
                String literal = code.substring(start, i);
                out.append(literal);
                if (floating(literal)) {
                    out.append('f');
                }
                continue;
            } else {
                i++;
            }
            out.append(code, start, i);
        }
        return out.toString();
    }

    /** The end of the number literal at {@code i}. */
    private static int number(String code, int i) {
        int n = code.length();
        boolean hex = code.startsWith("0x", i) || code.startsWith("0X", i);
        if (hex || code.startsWith("0b", i) || code.startsWith("0B", i)) {
            i += 2;
        }
        boolean exponent = false;
        while (i < n) {
            char c = code.charAt(i);
            boolean exponentMark = hex ? (c == 'p' || c == 'P') : (c == 'e' || c == 'E');
            if (exponentMark && !exponent) {
                exponent = true;
                i++;
                if (i < n && (code.charAt(i) == '+' || code.charAt(i) == '-')) {
                    i++;
                }
            } else if (Character.isLetterOrDigit(c) || c == '_' || (c == '.' && !exponent)) {
                i++;
            } else {
                break;
            }
        }
        return i;
    }

    /** Whether a number literal is floating point with no suffix. */
    static boolean floating(String literal) {
        char last = Character.toLowerCase(literal.charAt(literal.length() - 1));
        boolean hex = literal.startsWith("0x") || literal.startsWith("0X");
        if (hex) {
            return literal.toLowerCase().contains("p") && Character.isDigit(last);
        }
        if (last == 'f' || last == 'd' || last == 'l' || literal.startsWith("0b") || literal.startsWith("0B")) {
            return false;
        }
        return literal.indexOf('.') >= 0 || literal.indexOf('e') >= 0 || literal.indexOf('E') >= 0;
    }

    /**
     * The first line where {@code actual} (a checked-in file) differs from {@code expected} (its
     * template's expansion), as a message; empty when they are the same.
     */
    static Optional<String> firstDifference(String file, String expected, String actual) {
        if (expected.equals(actual)) {
            return Optional.empty();
        }
        if (actual == null) {
            return Optional.of(file + " is missing; run: " + COMMAND);
        }
        List<String> want = expected.lines().toList();
        List<String> have = actual.lines().toList();
        int line = 0;
        while (line < want.size() && line < have.size() && want.get(line).equals(have.get(line))) {
            line++;
        }
        String detail;
        if (line < want.size() && line < have.size()) {
            detail =
                    "line " + (line + 1) + " is\n  " + have.get(line) + "\nbut the template gives\n  " + want.get(line);
        } else if (line < want.size()) {
            detail = "it ends at line " + line + "; the template goes on with\n  " + want.get(line);
        } else if (line < have.size()) {
            detail = "it goes on past the template's end, at line " + (line + 1) + ":\n  " + have.get(line);
        } else {
            detail = "they differ in line endings or the final newline";
        }
        return Optional.of(file + " differs from its template: " + detail + "\nEdit the template, not the "
                + "generated file, then run: " + COMMAND);
    }

    /** Generated files in the module's sources that no template makes any more. */
    static List<Path> orphans(Path module, Map<Path, String> generated) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(module.resolve(SOURCES))) {
            for (Path f : files.sorted().toList()) {
                if (!generated.containsKey(f)
                        && Files.readString(f, StandardCharsets.UTF_8).startsWith(GENERATED_MARK)) {
                    out.add(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}

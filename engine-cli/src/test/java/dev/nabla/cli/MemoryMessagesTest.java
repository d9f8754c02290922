package dev.nabla.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.JavaHeap;
import dev.nabla.MemoryException;
import dev.nabla.data.SyntheticData;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Too little memory, in this JVM: exit code 1 and one line, the stack trace only with --verbose. */
class MemoryMessagesTest {
    private static String report(Throwable t, boolean verbose, int[] code) {
        StringWriter s = new StringWriter();
        try (PrintWriter w = new PrintWriter(s)) {
            code[0] = Main.report(t, verbose, w);
        }
        return s.toString();
    }

    @Test
    void builtInDataTooLargeForTheHeapIsRefusedBeforeItIsMade() {
        assumeTrue(JavaHeap.max() < SyntheticData.bytes(100_000_000), "a heap under 16 GB");
        Cli r = Cli.run("train", "--samples", "100000000");
        assertEquals(Main.EXIT_MEMORY, r.code(), r.toString());
        assertEquals("", r.out(), "refused before the model and data lines: " + r);
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(
                r.errorLine()
                        .startsWith("engine: not enough memory: the built-in data (100,000,000 samples of 16 inputs"
                                + " and 4 targets) needs 16,000,000,000 bytes (14.9 GiB) of Java heap, but "),
                r.toString());
    }

    @Test
    void aRefusalIsOneLineAndExitCode1WithTheStackTraceOnlyWhenVerbose() {
        int[] code = new int[1];
        MemoryException e = new MemoryException("not enough memory: this needs that", 2, 1);
        assertEquals("engine: not enough memory: this needs that" + System.lineSeparator(), report(e, false, code));
        assertEquals(1, code[0]);
        String verbose = report(e, true, code);
        assertTrue(verbose.contains("\tat dev.nabla.cli.MemoryMessagesTest"), verbose);
        assertEquals(1, code[0]);
    }

    @Test
    void anOutOfMemoryErrorFoundInsideAnotherExceptionIsTheOutOfMemoryLine() {
        int[] code = new int[1];
        String line = report(
                new IllegalStateException("a worker failed", new OutOfMemoryError("Java heap space")), false, code);
        assertEquals(Main.EXIT_MEMORY, code[0]);
        assertEquals(1, line.lines().count(), line);
        assertTrue(
                line.startsWith("engine: out of memory: Java heap space (the Java heap is at most "
                        + JavaHeap.size(JavaHeap.max()) + "); give Java more with NABLA_JAVA_OPTS="
                        + JavaHeap.xmx(2 * JavaHeap.max()) + " (bin/nabla) or java "),
                line);
        assertTrue(line.contains("--micro-batch for train, --batch for predict and evaluate"), line);
        assertTrue(line.contains(".npy"), line);
        assertFalse(line.contains("internal error"), line);
    }
}

package dev.nabla;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class JavaHeapTest {
    @Test
    void bytesAreExactWithAReadableSizeFromAMebibyteUp() {
        assertEquals("512 bytes", JavaHeap.bytes(512));
        assertEquals("1,000,000 bytes", JavaHeap.bytes(1_000_000));
        assertEquals("1,048,576 bytes (1.0 MiB)", JavaHeap.bytes(1L << 20));
        assertEquals("8,000,000,000 bytes (7.5 GiB)", JavaHeap.bytes(8_000_000_000L));
        assertEquals("64.0 MiB", JavaHeap.size(64L << 20));
    }

    @Test
    void theSuggestedHeapHoldsTheBytesAndAQuarterMoreRoundedUp() {
        assertEquals("-Xmx64m", JavaHeap.xmx(1));
        assertEquals("-Xmx128m", JavaHeap.xmx((64L << 20) + 1));
        assertEquals("-Xmx1g", JavaHeap.xmx(1000L << 20)); // past 960 MiB, whole gibibytes
        assertEquals("-Xmx3g", JavaHeap.xmx((2L << 30) + 1));
        // 8 GB and a quarter: 10 GB, 9.3 GiB, so 10g.
        assertEquals("-Xmx10g", JavaHeap.suggestedMax(8_000_000_000L));
        assertEquals("-Xmx320m", JavaHeap.suggestedMax(250L << 20)); // 312.5 MiB, up to 5 x 64
    }

    @Test
    void waysOutAreListedAsASentence() {
        assertEquals("a", JavaHeap.either("a"));
        assertEquals("a or b", JavaHeap.either("a", "b"));
        assertEquals("a, b, or c", JavaHeap.either("a", "b", "c"));
    }

    @Test
    void aRequestTheHeapCanTakePasses() {
        assertDoesNotThrow(() -> JavaHeap.require(1024, "a kibibyte"));
        assertTrue(JavaHeap.free() <= JavaHeap.max());
    }

    @Test
    void aRequestLargerThanTheHeapIsRefusedInOneLineNamingTheBytesAndTheWaysOut() {
        long bytes = Long.MAX_VALUE / 8;
        assumeTrue(JavaHeap.max() < bytes);
        MemoryException e =
                assertThrows(MemoryException.class, () -> JavaHeap.require(bytes, "the thing", "use fewer things"));
        assertEquals(bytes, e.needed());
        assertTrue(e.available() < bytes);
        String m = e.getMessage();
        assertTrue(
                m.startsWith("not enough memory: the thing needs 1,152,921,504,606,846,975 bytes (1073741824.0 GiB)"
                        + " of Java heap, but "),
                m);
        assertTrue(
                m.contains(" are free (the heap is at most " + JavaHeap.size(JavaHeap.max()) + "); give Java a"
                        + " larger heap (NABLA_JAVA_OPTS=-Xmx"),
                m);
        assertTrue(m.endsWith("g otherwise) or use fewer things"), m);
        assertEquals(1, m.lines().count());
    }
}

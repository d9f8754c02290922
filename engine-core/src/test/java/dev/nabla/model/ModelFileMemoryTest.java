package dev.nabla.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nabla.JavaHeap;
import dev.nabla.MemoryException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model file the heap cannot hold is refused before it is read, and weights it cannot hold before they are drawn. */
class ModelFileMemoryTest {
    @Test
    void theArithmetic() {
        assertEquals(800_000_000L, ModelFile.parseBytes(200_000_000L));
        // 4-20000-20000-2: the 20000 x 20000 layer, drawn and copied into the layer, is 6.4 GB.
        assertEquals(6_400_000_000L, ModelFile.drawBytes(20_000, 20_000));
    }

    @Test
    void aFileTooLargeToParseIsRefusedBeforeItIsRead(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("huge.json");
        long size = Math.max(JavaHeap.max() / 2, 1L << 20);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(size); // sparse: no disk, and nothing to read if the check did not come first
        }
        MemoryException e = assertThrows(MemoryException.class, () -> ModelFile.read(f, 0));
        assertEquals(ModelFile.parseBytes(size), e.needed());
        assertTrue(e.getMessage().startsWith("not enough memory: parsing " + f + " ("), e.getMessage());
        assertTrue(e.getMessage().contains(" bytes of model JSON) needs "), e.getMessage());
        Files.delete(f);
    }

    @Test
    void weightsTooLargeForTheHeapAreRefusedBeforeTheyAreDrawn() {
        // 40,000 x 50,000 weights: 2e9 values (one array holds them), 32 GB drawn and copied.
        assumeTrue(JavaHeap.max() < ModelFile.drawBytes(40_000, 50_000));
        String json = "{\"layers\": [{\"inputs\": 40000, \"outputs\": 50000, \"activation\": \"tanh\"}]}";
        MemoryException e = assertThrows(MemoryException.class, () -> ModelFile.parse(json, "wide.json", 1));
        assertTrue(
                e.getMessage()
                        .startsWith("not enough memory: drawing layer 1's 50,000 x 40,000 weights (the model file gives"
                                + " none) needs 32,000,000,000 bytes (29.8 GiB) of Java heap, but "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("otherwise) or use a smaller network"), e.getMessage());
    }
}

package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity of training data: sizes and CRC-32C checksums of its files, or the built-in data's count and seed. */
class DataIdentityTest {
    @TempDir
    Path dir;

    private static DataIdentity.DataFile only(DataIdentity id) {
        List<DataIdentity.DataFile> files = ((DataIdentity.OfFiles) id).files();
        assertEquals(1, files.size());
        return files.get(0);
    }

    @Test
    void aFileIsItsSizeAndTheCrc32cOfItsBytes() throws IOException {
        Path f = Files.writeString(dir.resolve("digits.csv"), "123456789", StandardCharsets.US_ASCII);
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2024-02-03T04:05:06Z")));
        DataIdentity.DataFile id = only(DataIdentity.ofFiles(List.of(f)));
        assertEquals(9, id.bytes());
        assertEquals("e3069283", id.crc32c(), "CRC-32C's check value");
        assertEquals("2024-02-03T04:05:06Z", id.modified());
        assertEquals(f + " (9 bytes, modified 2024-02-03T04:05:06Z, CRC-32C e3069283)", id.describe());
    }

    /** More bytes than the buffer holds, and a last read that does not fill it. */
    @Test
    void aLargeFileIsReadInPiecesToTheSameChecksum() throws IOException {
        byte[] bytes = new byte[(3 << 20) + 12345];
        new SplittableRandom(4).nextBytes(bytes);
        Path f = Files.write(dir.resolve("large.npy"), bytes);
        CRC32C whole = new CRC32C();
        whole.update(bytes);
        DataIdentity.DataFile id = only(DataIdentity.ofFiles(List.of(f)));
        assertEquals(bytes.length, id.bytes());
        assertEquals(String.format("%08x", whole.getValue()), id.crc32c());
    }

    @Test
    void theSameBytesUnderAnotherNameAndTimeAreTheSameDataAnyOtherByteIsNot() throws IOException {
        Path a = Files.writeString(dir.resolve("a.csv"), "x,y\n1,2\n3,4\n");
        Path copy = Files.copy(a, dir.resolve("copy.csv"));
        Files.setLastModifiedTime(copy, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
        Path changed = Files.writeString(dir.resolve("b.csv"), "x,y\n1,2\n3,5\n");
        Path longer = Files.writeString(dir.resolve("c.csv"), "x,y\n1,2\n3,4\n\n");
        DataIdentity id = DataIdentity.ofFiles(List.of(a));
        assertTrue(id.sameData(DataIdentity.ofFiles(List.of(copy))));
        assertFalse(id.sameData(DataIdentity.ofFiles(List.of(changed))), "one byte changed");
        assertFalse(id.sameData(DataIdentity.ofFiles(List.of(longer))), "one byte more");
        assertFalse(id.sameData(DataIdentity.ofFiles(List.of(a, copy))), "another number of files");
        assertTrue(DataIdentity.ofFiles(List.of(a, changed)).sameData(DataIdentity.ofFiles(List.of(copy, changed))));
        assertFalse(
                DataIdentity.ofFiles(List.of(a, changed)).sameData(DataIdentity.ofFiles(List.of(changed, a))),
                "inputs and targets swapped");
        assertFalse(id.sameData(DataIdentity.synthetic(2, 1)));
    }

    @Test
    void theBuiltInDataIsItsCountAndSeed() {
        DataIdentity id = DataIdentity.synthetic(1000, 7);
        assertTrue(id.sameData(DataIdentity.synthetic(1000, 7)));
        assertFalse(id.sameData(DataIdentity.synthetic(1001, 7)));
        assertFalse(id.sameData(DataIdentity.synthetic(1000, 8)));
        assertEquals("built-in synthetic data (1000 samples, seed 7)", id.describe());
    }

    @Test
    void readsBackWhatItWrites() throws IOException {
        Path x = Files.writeString(dir.resolve("x.npy"), "inputs");
        Path y = Files.writeString(dir.resolve("y.npy"), "targets");
        for (DataIdentity id : new DataIdentity[] {
            DataIdentity.ofFiles(List.of(x, y)),
            new DataIdentity.OfFiles(
                    List.of(new DataIdentity.DataFile("données \"x\"\n日本.csv", 1L << 40, "t", "0123abcd"))),
            DataIdentity.synthetic(3, Long.MIN_VALUE),
            DataIdentity.synthetic(Integer.MAX_VALUE, Long.MAX_VALUE)
        }) {
            assertEquals(id, DataIdentity.parse(id.toJson(), "m"), id.toJson());
        }
        assertEquals(
                "{\"synthetic\": {\"samples\": 3, \"seed\": \"-9223372036854775808\"}}",
                DataIdentity.synthetic(3, Long.MIN_VALUE).toJson());
    }

    @Test
    void aDamagedIdentityIsAnInputErrorThatSaysWhere() {
        String[] bad = {
            "{}",
            "[]",
            "{\"files\": []}",
            "{\"files\": [{\"path\": \"a\", \"bytes\": -1, \"modified\": \"t\", \"crc32c\": \"00000000\"}]}",
            "{\"files\": [{\"path\": \"a\", \"bytes\": 1, \"modified\": \"t\", \"crc32c\": \"0000\"}]}",
            "{\"files\": [{\"path\": \"a\", \"bytes\": 1, \"crc32c\": \"00000000\"}]}",
            "{\"synthetic\": {\"samples\": 3, \"seed\": \"x\"}}",
            "{\"synthetic\": {\"samples\": 0, \"seed\": \"1\"}}",
            "{\"synthetic\": {\"samples\": 3, \"seed\": 1}}",
        };
        for (String json : bad) {
            InputException e = assertThrows(InputException.class, () -> DataIdentity.parse(json, "c nabla.x"), json);
            assertTrue(e.getMessage().startsWith("c nabla.x:1:"), e.getMessage());
        }
    }
}

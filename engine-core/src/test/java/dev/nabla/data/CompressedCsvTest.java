package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gzip-compressed CSV (as scikit-learn ships digits.csv.gz) reads as the CSV it holds. */
class CompressedCsvTest {
    @TempDir
    Path dir;

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(bytes)) {
            z.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    @Test
    void aGzippedCsvReadsAsItsText() throws IOException {
        String text = "1.5,2,0\r\n\"3\",4.25,1\n";
        Path plain = Files.writeString(dir.resolve("d.csv"), text);
        Path packed = Files.write(dir.resolve("d.csv.gz"), gzip(text));
        CsvTable a = CsvTable.read(plain, 3, "");
        CsvTable b = CsvTable.read(packed, 3, "");
        assertEquals(2, b.rows());
        assertEquals(a.rows(), b.rows());
        assertTrue(Arrays.equals(Arrays.copyOf(a.values(), 6), Arrays.copyOf(b.values(), 6)), "the same values");
    }

    @Test
    void aDamagedGzipFileIsOneLine() throws IOException {
        byte[] z = gzip("1,2,3\n".repeat(1000));
        Path cut = Files.write(dir.resolve("cut.csv.gz"), Arrays.copyOf(z, z.length / 2));
        InputException e = assertThrows(InputException.class, () -> CsvTable.read(cut, 3, ""));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}

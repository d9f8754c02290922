package dev.nabla.data;

import java.io.IOException;
import java.io.InputStream;

/**
 * Samples that are the rows of one CSV file, which several readers can parse between them, each
 * the lines that start in its byte range ({@link CsvTable#readRange}): what a cluster does with a
 * file too large for one reader.
 */
public interface CsvSource extends SampleSource {
    /** The CSV file, as given; null where these samples are not one CSV file's rows (a {@code .npy} file). */
    String csvFile();

    /**
     * The samples of the lines that start in bytes {@code [start, end)} of the file, read from
     * {@code in} (the file's bytes from {@code max(0, start - 1)} on, not gzip-compressed), with
     * {@code newlinesBefore} newline bytes before {@code start}: the same values, and the same
     * errors, as reading the whole file gives for those lines.
     */
    CsvRows readRange(InputStream in, long start, long end, long newlinesBefore) throws IOException;
}

package dev.nabla.spark;

import dev.nabla.data.CsvSource;
import dev.nabla.data.InputScaling;
import dev.nabla.data.SampleSource;
import java.io.Serializable;

/**
 * A source whose samples are the rows of one CSV file, seen through what a run puts over it: at
 * most one held-out part ({@link SampleSource.TrainingPart}) and one standardization
 * ({@link SampleSource.Standardized}). Such a file is parsed once, by byte ranges, among the
 * executors ({@link CsvRanges}); any other source every executor opens itself.
 *
 * @param csv the CSV file's samples, all of them
 * @param held the samples held out (0: none)
 * @param drawn whether they are drawn from {@code heldSeed}, else the last ones
 * @param scaling the standardization of the inputs, or null
 */
record CsvLayout(CsvSource csv, int held, boolean drawn, long heldSeed, InputScaling scaling) implements Serializable {
    /** The layout of {@code data}, or null where it is not one CSV file's rows under those two. */
    static CsvLayout of(SampleSource data) {
        SampleSource s = data;
        InputScaling scaling = null;
        SampleSource.TrainingPart part = null;
        while (true) {
            if (s instanceof SampleSource.Standardized st && scaling == null) {
                scaling = st.scaling();
                s = st.raw();
            } else if (s instanceof SampleSource.TrainingPart tp && part == null) {
                part = tp;
                s = tp.all();
            } else {
                break;
            }
        }
        if (!(s instanceof CsvSource c) || c.csvFile() == null) {
            return null;
        }
        return part == null
                ? new CsvLayout(c, 0, false, 0, scaling)
                : new CsvLayout(c, part.held(), part.drawn(), part.seed(), scaling);
    }
}

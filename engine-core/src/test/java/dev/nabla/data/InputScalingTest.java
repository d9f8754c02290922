package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import org.junit.jupiter.api.Test;

/** Standardization as scikit-learn's StandardScaler computes it, and the view that applies it. */
class InputScalingTest {
    /** Three samples of three features: one spread, one constant, one large. */
    private static final Dataset DATA =
            new Dataset("d", 3, 3, 1, new double[] {1, 5, 1000, 2, 5, 3000, 6, 5, 2000}, new double[] {0.1, 0.2, 0.3});

    @Test
    void meanAndPopulationStandardDeviationAConstantFeatureScaledByOne() {
        InputScaling s = InputScaling.fit(DATA);
        // numpy: x.mean(0) = [3, 5, 2000]; x.std(0) (ddof 0) = [sqrt(14/3), 0, sqrt(2e6/3)].
        assertArrayEquals(new double[] {3, 5, 2000}, s.mean(), 1e-12);
        assertArrayEquals(new double[] {Math.sqrt(14.0 / 3), 1, Math.sqrt(2e6 / 3)}, s.scale(), 1e-9);
    }

    @Test
    void aConstantFeatureWithRoundingLeftIsConstant() {
        double[] x = new double[30];
        java.util.Arrays.fill(x, 0.1);
        InputScaling s = InputScaling.fit(new Dataset("c", 30, 1, 1, x, new double[30]));
        assertEquals(1.0, s.scale()[0], 0.0);
    }

    @Test
    void theViewStandardizesAsItCopiesAndKeepsTheTargets() {
        InputScaling s = InputScaling.fit(DATA);
        Samples v = s.apply(DATA);
        double[] x = new double[9];
        v.copyInputs(0, 3, x, 0);
        double a = Math.sqrt(14.0 / 3);
        double c = Math.sqrt(2e6 / 3);
        assertArrayEquals(new double[] {-2 / a, 0, -1000 / c, -1 / a, 0, 1000 / c, 3 / a, 0, 0}, x, 1e-12);
        double[] mean = new double[3];
        for (int i = 0; i < 9; i++) {
            mean[i % 3] += x[i] / 3;
        }
        assertArrayEquals(new double[] {0, 0, 0}, mean, 1e-12);
        double[] t = new double[3];
        v.copyTargets(0, 3, t, 0);
        assertArrayEquals(new double[] {0.1, 0.2, 0.3}, t, 0.0);
        double[] one = new double[3];
        v.slice(1, 2).copyInputs(1, 1, one, 0);
        assertArrayEquals(new double[] {3 / a, 0, 0}, one, 1e-12);
    }

    @Test
    void fitsOnTheTrainingSamplesOfASplitOnly() {
        HeldOutSplit split = HeldOutSplit.last(DATA, 1);
        InputScaling s = InputScaling.fit(split.train());
        assertArrayEquals(new double[] {1.5, 5, 2000}, s.mean(), 1e-12);
        assertArrayEquals(new double[] {0.5, 1, 1000}, s.scale(), 1e-12);
    }

    @Test
    void refusesScalesThatAreNotPositiveAndMismatchedLengths() {
        InputException e =
                assertThrows(InputException.class, () -> InputScaling.of(new double[] {0, 1}, new double[] {1, 0}));
        assertEquals("standardize scale entry 2 is 0.0; a scale must be positive and finite", e.getMessage());
        assertThrows(InputException.class, () -> InputScaling.of(new double[] {0}, new double[] {1, 2}));
        InputException w = assertThrows(
                InputException.class,
                () -> InputScaling.of(new double[] {0, 0}, new double[] {1, 1}).apply(DATA));
        assertTrue(w.getMessage().contains("3 inputs a sample, but the standardization is for 2"), w.getMessage());
    }
}

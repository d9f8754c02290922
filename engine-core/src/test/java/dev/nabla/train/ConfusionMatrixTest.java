package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
    @Test
    void formatsRowsOfTrueClassesAndColumnsOfPredictedOnesWithTotals() {
        ConfusionMatrix m = ConfusionMatrix.of(new long[][] {{50, 0, 0}, {0, 47, 3}, {0, 2, 48}});
        assertEquals(145, m.correct());
        assertEquals(150, m.total());
        assertEquals("""
                confusion matrix (rows: true class, columns: predicted class):
                true\\pred  0  1  2  total
                        0 50  0  0     50
                        1  0 47  3     50
                        2  0  2 48     50
                    total 50 49 51    150
                """, m.format());
    }

    @Test
    void tenClassesOfManySamplesFit80Columns() {
        long[][] c = new long[10][10];
        for (int t = 0; t < 10; t++) {
            c[t][t] = 99_000;
            c[t][(t + 1) % 10] = 999;
        }
        for (String line : ConfusionMatrix.of(c).format().split("\n")) {
            assertTrue(line.length() <= 80, line.length() + ": " + line);
        }
    }

    @Test
    void oneOutputStandsForTwoClassesAtOneHalf() {
        assertEquals(2, Classes.count(1));
        assertEquals(1, Classes.of(new double[] {0.51}, 0, 1));
        assertEquals(
                0, Classes.of(new double[] {0.5}, 0, 1), "one half is class 0, as a logit of 0 is in the fused loss");
        assertEquals(0, Classes.of(new double[] {0.49}, 0, 1));
        assertEquals(2, Classes.of(new double[] {0.1, 0.3, 0.6}, 0, 3));
        assertEquals(0, Classes.of(new double[] {0.4, 0.4, 0.2}, 0, 3), "a tie goes to the first");
        double[] p = new double[2];
        Classes.probabilities(new double[] {0.25}, 0, 1, p, 0);
        assertEquals(0.75, p[0], 0.0);
        assertEquals(0.25, p[1], 0.0);
    }
}

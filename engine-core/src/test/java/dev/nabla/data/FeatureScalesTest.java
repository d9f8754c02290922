package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureScalesTest {
    @Test
    void aFeatureWhoseLargestAbsoluteValueIsAbove100IsFarFromUnitScale() {
        Dataset d =
                new Dataset("d", 2, 4, 1, new double[] {1, 100, -250, 0.001, -3, 99.5, 3, 1e-9}, new double[] {0, 1});
        FeatureScales s = FeatureScales.of(d);
        assertEquals(List.of(2), s.farFromUnitScale());
        assertEquals(250, s.largest(2), 0.0);
        assertEquals(3, s.largest(0), 0.0);
        assertEquals(100, s.largest(1), 0.0, "100 itself is near unit scale");
    }
}

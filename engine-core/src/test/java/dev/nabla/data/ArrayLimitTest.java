package dev.nabla.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.backend.Activation;
import dev.nabla.model.Network;
import dev.nabla.train.MemoryPlan;
import org.junit.jupiter.api.Test;

/** The one-array bound and the sizes derived from it, checked before anything is allocated. */
class ArrayLimitTest {
    @Test
    void rowsOfAWidthFitOneArray() {
        assertEquals(134_217_727, ArrayLimit.rows(16));
        assertTrue(ArrayLimit.fits(134_217_727, 16));
        assertFalse(ArrayLimit.fits(134_217_728, 16));
        assertFalse(ArrayLimit.fits(32_769, 65_536), "2^31 + 2^16 values");
        assertTrue(ArrayLimit.fits(Long.MAX_VALUE, 0));
    }

    @Test
    void theBuiltInDataRefusesMoreSamplesThanItsArraysHoldBeforeDrawingAny() {
        assertEquals(ArrayLimit.rows(SyntheticData.INPUTS), SyntheticData.MAX_SAMPLES);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SyntheticData.generate(Integer.MAX_VALUE, 1));
        assertEquals("the built-in data holds 1 to 134217727 samples, not 2147483647", e.getMessage());
    }

    @Test
    void aMicroBatchHoldsAsManySamplesAsItsWidestBufferAllows() {
        Network wide = Network.builder(3)
                .dense(50_000, Activation.SIGMOID, false)
                .dense(2, Activation.IDENTITY, false)
                .build(1);
        assertEquals(50_000, MemoryPlan.widestRow(wide));
        assertEquals(42_949, MemoryPlan.maxCapacity(wide));
    }
}

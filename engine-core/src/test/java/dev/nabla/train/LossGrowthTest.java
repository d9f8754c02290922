package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class LossGrowthTest {
    @Test
    void aLossAbove100TimesTheSmallestSoFarIsReportedOnce() {
        LossGrowth g = new LossGrowth();
        assertNull(g.epoch(1, 1.0));
        assertNull(g.epoch(2, 0.01));
        assertNull(g.epoch(3, 0.5));
        assertNull(g.epoch(4, 1.0), "exactly 100 times is not more");
        LossGrowth.Grown grown = g.epoch(5, 1.5);
        assertEquals(new LossGrowth.Grown(5, 1.5, 0.01, 2, true), grown);
        assertEquals(150, grown.ratio(), 1e-9);
        assertNull(g.epoch(6, 1e6), "reported once");
    }

    @Test
    void aLossThatGrowsFromTheFirstEpochIsReported() {
        LossGrowth g = new LossGrowth();
        assertNull(g.epoch(3, 2.0)); // a resumed run starts watching where it resumes
        assertNull(g.epoch(4, 150.0));
        assertEquals(new LossGrowth.Grown(5, 250.0, 2.0, 3, true), g.epoch(5, 250.0));
    }

    @Test
    void aSmallestLossOfZeroComparesWithTheFirstAndNaNIsLeftToTheLoop() {
        LossGrowth g = new LossGrowth();
        assertNull(g.epoch(1, 0.5));
        assertNull(g.epoch(2, 0.0));
        assertNull(g.epoch(3, Double.NaN));
        assertNull(g.epoch(4, 40.0));
        assertEquals(new LossGrowth.Grown(5, 60.0, 0.5, 1, false), g.epoch(5, 60.0));
    }
}

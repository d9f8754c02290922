package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import org.junit.jupiter.api.Test;

/** Each schedule against its closed form, step by step. */
class LearningRateScheduleTest {
    /** The rates are one or two double operations from the closed form: equal but for the last bit. */
    private static final double EXACT = 1e-15;

    @Test
    void constantIsTheBaseRateEveryStep() {
        for (long s = 0; s < 100; s++) {
            assertEquals(0.3, LearningRateSchedule.CONSTANT.rate(0.3, s, 100));
        }
    }

    @Test
    void stepDecaysByGammaEveryNSteps() {
        LearningRateSchedule step = new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 10, 0.5, 0);
        assertEquals(1.0, step.rate(1.0, 0, 100));
        assertEquals(1.0, step.rate(1.0, 9, 100));
        assertEquals(0.5, step.rate(1.0, 10, 100));
        assertEquals(0.25, step.rate(1.0, 29, 100));
        assertEquals(0.125, step.rate(1.0, 30, 100));
        assertEquals(Math.pow(0.5, 9), step.rate(1.0, 99, 100), EXACT);
    }

    @Test
    void cosineFallsFromTheBaseRateTowardsZeroOverTheRun() {
        LearningRateSchedule cos = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1, 1.0, 0);
        long total = 40;
        for (long s = 0; s < total; s++) {
            double expected = 0.1 * 0.5 * (1 + Math.cos(Math.PI * s / total));
            assertEquals(expected, cos.rate(0.1, s, total), EXACT, "step " + s);
        }
        assertEquals(0.1, cos.rate(0.1, 0, total));
        assertEquals(0.05, cos.rate(0.1, 20, total), EXACT, "half way: half the rate");
        assertTrue(cos.rate(0.1, total - 1, total) > 0, "the last step still learns");
    }

    @Test
    void warmupRisesLinearlyThenTheScheduleRunsOverTheStepsLeft() {
        LearningRateSchedule cos = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1, 1.0, 4);
        assertEquals(0.25, cos.rate(1.0, 0, 24));
        assertEquals(0.5, cos.rate(1.0, 1, 24));
        assertEquals(1.0, cos.rate(1.0, 3, 24));
        assertEquals(1.0, cos.rate(1.0, 4, 24), "the cosine starts at the base rate after the warm-up");
        assertEquals(0.5, cos.rate(1.0, 14, 24), EXACT, "half of the 20 cosine steps: half the rate");
        LearningRateSchedule step = new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 5, 0.1, 2);
        assertEquals(0.5, step.rate(1.0, 0, 50));
        assertEquals(1.0, step.rate(1.0, 6, 50), "steps 2..6 are the first 5 after the warm-up");
        assertEquals(0.1, step.rate(1.0, 7, 50), EXACT);
    }

    @Test
    void badSettingsAndStepsAreRefused() {
        assertThrows(InputException.class, () -> new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 0, 0.5, 0));
        assertThrows(InputException.class, () -> new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 3, 1.5, 0));
        assertThrows(InputException.class, () -> new LearningRateSchedule(LearningRateSchedule.Kind.STEP, 3, 0, 0));
        assertThrows(InputException.class, () -> new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 1, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.CONSTANT.rate(1, 10, 10));
        assertThrows(InputException.class, () -> LearningRateSchedule.Kind.parse("linear"));
    }
}

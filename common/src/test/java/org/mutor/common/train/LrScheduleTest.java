package org.mutor.common.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Schedules on values worked out by hand. */
class LrScheduleTest {

    @Test
    void constant() {
        LrSchedule s = LrSchedule.constant(3e-4);
        assertEquals(3e-4, s.lr(0));
        assertEquals(3e-4, s.lr(1_000_000));
    }

    @Test
    void warmupCosine() {
        // peak 1, warm-up 4, total 12, min 0.1: decay over 8 steps.
        LrSchedule s = LrSchedule.warmupCosine(1.0, 4, 12, 0.1);
        assertEquals(0.25, s.lr(0), 1e-15);
        assertEquals(0.5, s.lr(1), 1e-15);
        assertEquals(1.0, s.lr(3), 1e-15);
        assertEquals(1.0, s.lr(4), 1e-15);               // t = 0
        assertEquals(0.55, s.lr(8), 1e-15);              // t = 1/2: 0.1 + 0.45 * (1 + cos(pi/2))
        assertEquals(0.1 + 0.45 * (1 + Math.sqrt(0.5)), s.lr(6), 1e-15); // t = 1/4
        assertEquals(0.1, s.lr(12), 1e-15);              // t = 1
        assertEquals(0.1, s.lr(50), 1e-15);              // stays at the minimum
    }

    @Test
    void warmupLinear() {
        // peak 2, warm-up 2, total 6, min 0: decay over 4 steps.
        LrSchedule s = LrSchedule.warmupLinear(2.0, 2, 6, 0.0);
        assertEquals(1.0, s.lr(0), 1e-15);
        assertEquals(2.0, s.lr(1), 1e-15);
        assertEquals(2.0, s.lr(2), 1e-15);
        assertEquals(1.5, s.lr(3), 1e-15);
        assertEquals(0.5, s.lr(5), 1e-15);
        assertEquals(0.0, s.lr(6), 1e-15);
        assertEquals(0.0, s.lr(9), 1e-15);
        LrSchedule withMin = LrSchedule.warmupLinear(2.0, 0, 4, 1.0);
        assertEquals(2.0, withMin.lr(0), 1e-15);
        assertEquals(1.5, withMin.lr(2), 1e-15);
        assertEquals(1.0, withMin.lr(4), 1e-15);
    }

    @Test
    void noDecayPhaseWhenTotalEqualsWarmup() {
        LrSchedule s = LrSchedule.warmupCosine(1.0, 2, 2, 0.5);
        assertEquals(0.5, s.lr(0), 1e-15);
        assertEquals(1.0, s.lr(1), 1e-15);
        assertEquals(0.5, s.lr(2), 1e-15);
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(-1));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(1, 5, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(1, 0, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupLinear(Double.NaN, 0, 4, 0));
    }
}

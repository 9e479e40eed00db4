package org.mutor.generator.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LogitFiltersTest {

    private static final float NEG = Float.NEGATIVE_INFINITY;

    @Test
    void topKKeepsLargestAndTies() {
        float[] logits = {1f, 5f, 3f, 5f, 2f};
        LogitFilters.topK(logits, 2);
        assertArrayEquals(new float[] {NEG, 5f, NEG, 5f, NEG}, logits);
        float[] three = {1f, 5f, 3f, 4f, 2f};
        LogitFilters.topK(three, 3);
        assertArrayEquals(new float[] {NEG, 5f, 3f, 4f, NEG}, three);
    }

    @Test
    void topKZeroKeepsAll() {
        float[] logits = {1f, 2f};
        LogitFilters.topK(logits, 0);
        assertArrayEquals(new float[] {1f, 2f}, logits);
    }

    @Test
    void topPKeepsSmallestPrefixExceedingP() {
        // Probabilities 0.5, 0.3, 0.15, 0.05 (as logs): p = 0.7 keeps 0.5 + 0.3 (0.8 > 0.7) and drops the rest.
        float[] logits = {(float) Math.log(0.15), (float) Math.log(0.5), (float) Math.log(0.05), (float) Math.log(0.3)};
        LogitFilters.topP(logits, 0.7);
        assertEquals(NEG, logits[0]);
        assertEquals(NEG, logits[2]);
        assertEquals((float) Math.log(0.5), logits[1]);
        assertEquals((float) Math.log(0.3), logits[3]);
    }

    @Test
    void topPAlwaysKeepsMostLikely() {
        float[] logits = {(float) Math.log(0.9), (float) Math.log(0.1)};
        LogitFilters.topP(logits, 0.05);
        assertEquals((float) Math.log(0.9), logits[0]);
        assertEquals(NEG, logits[1]);
    }

    @Test
    void samplingInvertsTheDistribution() {
        float[] logits = {(float) Math.log(0.25), (float) Math.log(0.5), NEG, (float) Math.log(0.25)};
        assertEquals(0, LogitFilters.sample(logits, 0.0));
        assertEquals(0, LogitFilters.sample(logits, 0.2499));
        assertEquals(1, LogitFilters.sample(logits, 0.2501));
        assertEquals(1, LogitFilters.sample(logits, 0.7499));
        assertEquals(3, LogitFilters.sample(logits, 0.7501));
        assertEquals(3, LogitFilters.sample(logits, 0.999999));
    }

    @Test
    void temperatureScalesLogits() {
        float[] logits = {2f, -4f};
        LogitFilters.applyTemperature(logits, 0.5);
        assertArrayEquals(new float[] {4f, -8f}, logits);
    }
}

package org.mutor.mutor2d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RegisterBatchTest {

    private static final float N = Float.NEGATIVE_INFINITY;

    /*
     * Layout P = 1, A = 2 (tokens x0 x1 x2, inputs x0 x1).
     * Row 0, NTP: slots x0(->x1, pos 0) x1(->x2, pos 1), then two padding slots.
     * Row 1, full d = 1: sites t = 0, 1, so slots x0 R x1 R with targets x1 x1 x2 x2 and
     * position ids 0 0 1 1 (t + d - 1 = t).
     */
    @Test
    void padsRowsOfDifferentLengths() {
        PromptAnswerLayout layout = new PromptAnswerLayout(1, 2, false);
        RegisterBatch batch = RegisterBatch.of(List.of(
                RegisterPlanner.ntp(layout), RegisterPlanner.full(layout, new LinearOffset(1))));
        List<int[]> sequences = List.of(new int[] {10, 11, 12}, new int[] {20, 21, 22});
        assertEquals(2, batch.batchSize());
        assertEquals(4, batch.length());
        assertArrayEquals(new int[] {10, 11, 7, 7, 20, 7, 21, 7}, batch.inputTokens(sequences, 7));
        assertArrayEquals(new long[] {11, 12, -100, -100, 21, 21, 22, 22}, batch.targets(sequences));
        assertArrayEquals(new int[] {0, 1, 0, 0, 0, 0, 1, 1}, batch.positionIds());
        assertArrayEquals(new boolean[] {false, false, false, false, false, true, false, true},
                batch.registerMask());
        assertArrayEquals(new boolean[] {false, false, true, true, false, false, false, false},
                batch.paddingMask());
        assertArrayEquals(new float[] {
            // row 0: x0, x1, padding, padding
            0, N, N, N,
            0, 0, N, N,
            N, N, 0, N,
            N, N, N, 0,
            // row 1: x0, R after x0, x1, R after x1
            0, N, N, N,
            0, 0, N, N,
            0, N, 0, N,
            0, N, 0, 0,
        }, batch.additiveMask());
    }

    @Test
    void fixedLengthMatchesPlanArrays() {
        SplittableRandom random = new SplittableRandom(8L);
        RegisterSampler sampler = new RegisterSampler(RegisterMode.SPARSE, 3, 4);
        GridLayout grid = new GridLayout(3, 4);
        List<RegisterPlan> plans = new ArrayList<>();
        List<int[]> sequences = new ArrayList<>();
        for (int b = 0; b < 5; b++) {
            plans.add(sampler.plan(grid, random));
            sequences.add(random.ints(grid.sequenceLength(), 0, 100).toArray());
        }
        int length = 20;
        RegisterBatch batch = RegisterBatch.of(plans, length);

        float[] mask = batch.additiveMask();
        long[] targets = batch.targets(sequences);
        int[] positions = batch.positionIds();
        for (int b = 0; b < plans.size(); b++) {
            RegisterPlan plan = plans.get(b);
            float[] own = plan.additiveBias(length);
            for (int i = 0; i < length * length; i++) {
                assertEquals(own[i], mask[b * length * length + i], "row " + b + " bias " + i);
            }

            long[] ownTargets = plan.targets(sequences.get(b));
            for (int k = 0; k < length; k++) {
                long expected = k < plan.length() ? ownTargets[k] : RegisterPlan.IGNORE;
                assertEquals(expected, targets[b * length + k], "row " + b + " target " + k);
                assertEquals(k < plan.length() ? plan.positionId(k) : 0, positions[b * length + k]);
            }

            // The index form of the mask gives the same pattern as the dense bias.
            int[] realIndices = batch.realIndices();
            int[] horizons = batch.horizons();
            for (int i = 0; i < length; i++) {
                for (int j = 0; j < length; j++) {
                    int key = realIndices[b * length + j];
                    boolean allowed = i == j || (key >= 0 && key <= horizons[b * length + i]);
                    assertEquals(allowed, mask[(b * length + i) * length + j] == 0f, "row " + b + " " + i + "," + j);
                }
            }

            // Every query, padding included, attends to something, so no softmax row is empty.
            for (int i = 0; i < length; i++) {
                boolean any = false;
                for (int j = 0; j < length; j++) {
                    any |= mask[(b * length + i) * length + j] == 0f;
                }
                assertTrue(any, "row " + b + " query " + i + " attends to nothing");
            }
        }
    }
}

package org.mutor.mutor2d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Invariants that every plan must satisfy, over plans drawn the way a trainer draws them. */
class PlanPropertyTest {

    /** Draws plans over random grids and prompt/answer layouts with a sampler of each mode. */
    private static List<RegisterPlan> randomPlans(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        List<RegisterPlan> plans = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            RegisterMode mode = RegisterMode.values()[random.nextInt(3)];
            int maxOffset = 2 + random.nextInt(4);
            RegisterSampler sampler = new RegisterSampler(mode, maxOffset, 1 + random.nextInt(20));
            RegisterLayout layout = random.nextBoolean()
                    ? new GridLayout(1 + random.nextInt(6), 1 + random.nextInt(6))
                    : new PromptAnswerLayout(1 + random.nextInt(5), 1 + random.nextInt(8), random.nextBoolean());
            plans.add(sampler.plan(layout, random));
        }
        return plans;
    }

    @Test
    void realTokensNeverSeeRegisters() {
        for (RegisterPlan plan : randomPlans(1L, 400)) {
            RegisterPlan ntp = RegisterPlanner.ntp(plan.layout());
            for (int q = 0; q < plan.length(); q++) {
                if (plan.isRegister(q)) {
                    continue;
                }
                for (int k = 0; k < plan.length(); k++) {
                    if (plan.isRegister(k)) {
                        assertFalse(plan.allowed(q, k), plan + ": real slot " + q + " sees register " + k);
                    } else {
                        // Real slots of the NTP plan sit at slot == token index.
                        assertEquals(ntp.allowed(plan.realIndex(q), plan.realIndex(k)), plan.allowed(q, k),
                                plan + ": real mask differs from next-token mask at " + q + "," + k);
                    }
                }
            }
        }
    }

    @Test
    void registersSeePrefixAndSelf() {
        for (RegisterPlan plan : randomPlans(2L, 400)) {
            for (int q = 0; q < plan.length(); q++) {
                if (!plan.isRegister(q)) {
                    continue;
                }
                assertTrue(q > 0, plan + ": a register cannot open the sequence");
                assertFalse(plan.isRegister(q - 1), plan + ": register " + q + " must follow a real token");
                for (int k = 0; k < plan.length(); k++) {
                    boolean expected = k == q || (k < q && !plan.isRegister(k));
                    assertEquals(expected, plan.allowed(q, k), plan + ": register " + q + " vs slot " + k);
                }
            }
        }
    }

    @Test
    void gridTargetsFollowTheOffsetWithoutWrapping() {
        SplittableRandom random = new SplittableRandom(3L);
        for (int c = 0; c < 300; c++) {
            GridLayout grid = new GridLayout(1 + random.nextInt(6), 1 + random.nextInt(6));
            GridOffset offset = GridOffset.sample(4, random);
            RegisterPlan plan = RegisterPlanner.full(grid, offset);
            int w = grid.width();
            int expectedRegisters = 0;
            for (int s = 1; s <= grid.imageTokens(); s++) {
                int row = (s - 1) / w + offset.dh() - 1;
                int col = (s - 1) % w + offset.dw() - 1;
                expectedRegisters += row < grid.height() && col < w ? 1 : 0;
            }
            assertEquals(expectedRegisters, plan.registerCount(), plan.toString());
            for (int k = 0; k < plan.length(); k++) {
                int target = plan.targetIndex(k);
                assertTrue(target >= 1, plan + ": every slot of a grid has a target");
                assertTrue(target <= grid.imageTokens(), plan + ": target past the last image token");
                if (plan.isRegister(k)) {
                    int s = plan.realIndex(k - 1) + 1;
                    assertEquals((s - 1) / w + offset.dh() - 1, (target - 1) / w, plan + ": target row");
                    assertEquals((s - 1) % w + offset.dw() - 1, (target - 1) % w, plan + ": target column");
                    assertEquals(target - 1, plan.positionId(k), plan + ": register position id");
                    assertTrue(plan.positionId(k) >= s, plan + ": position id u - 1 is at least s");
                }
            }
        }
    }

    @Test
    void promptTargetsAreIgnoredExceptTheLastPromptToken() {
        for (RegisterPlan plan : randomPlans(4L, 400)) {
            int prompt = plan.layout().prefixLength();
            for (int k = 0; k < plan.length(); k++) {
                int target = plan.targetIndex(k);
                if (!plan.isRegister(k) && plan.realIndex(k) < prompt - 1) {
                    assertEquals(RegisterPlan.IGNORE, target, plan + ": prompt slot " + k);
                } else {
                    assertTrue(target >= prompt, plan + ": slot " + k + " predicts a prompt token " + target);
                    assertTrue(target < plan.layout().sequenceLength(), plan + ": slot " + k + " target " + target);
                }
            }
        }
    }

    @Test
    void sparseCountIsTheSmallerOfKAndValidSites() {
        SplittableRandom random = new SplittableRandom(5L);
        GridLayout grid = new GridLayout(4, 4);
        GridOffset offset = new GridOffset(2, 3); // valid: rows 0..2, columns 0..1 -> 6 sites
        assertEquals(6, grid.registerSites(offset).length);
        for (int k = 1; k <= 9; k++) {
            assertEquals(Math.min(k, 6), RegisterPlanner.sparse(grid, offset, k, random).registerCount());
        }
        PromptAnswerLayout text = new PromptAnswerLayout(3, 5, true);
        assertEquals(0, RegisterPlanner.sparse(text, new LinearOffset(6), 4, random).registerCount());
        assertEquals(0, RegisterPlanner.full(text, new LinearOffset(6)).registerCount());
        assertEquals(1, RegisterPlanner.full(text, new LinearOffset(5)).registerCount());
    }

    @Test
    void sameSeedGivesSamePlanAndSamplesDiffer() {
        RegisterSampler sampler = new RegisterSampler(RegisterMode.SPARSE, 4, 5);
        GridLayout grid = new GridLayout(6, 6);
        SplittableRandom first = new SplittableRandom(99L);
        SplittableRandom second = new SplittableRandom(99L);
        List<RegisterPlan> drawn = new ArrayList<>();
        for (int step = 0; step < 20; step++) {
            RegisterPlan plan = sampler.plan(grid, first);
            assertEquals(plan, sampler.plan(grid, second), "step " + step);
            drawn.add(plan);
        }
        // Resampled per sample: 20 draws from 15 offsets and many placements are not all alike.
        assertTrue(drawn.stream().distinct().count() > 10, "plans repeat too often: " + drawn);
        assertNotEquals(sampler.plan(grid, new SplittableRandom(1L)), sampler.plan(grid, new SplittableRandom(2L)));
    }

    @Test
    void offsetsAreDrawnUniformly() {
        SplittableRandom random = new SplittableRandom(6L);
        int[][] gridCounts = new int[5][5];
        int[] linearCounts = new int[5];
        int draws = 15_000;
        for (int i = 0; i < draws; i++) {
            GridOffset grid = GridOffset.sample(4, random);
            gridCounts[grid.dh()][grid.dw()]++;
            linearCounts[LinearOffset.sample(4, random).d()]++;
        }
        assertEquals(0, gridCounts[1][1], "(1,1) is excluded");
        for (int dh = 1; dh <= 4; dh++) {
            for (int dw = 1; dw <= 4; dw++) {
                if (dh != 1 || dw != 1) {
                    // Expected 1000 each; the binomial standard deviation is about 31.
                    assertTrue(Math.abs(gridCounts[dh][dw] - 1000) < 150, dh + "," + dw + ": " + gridCounts[dh][dw]);
                }
            }
        }
        for (int d = 1; d <= 4; d++) {
            assertTrue(Math.abs(linearCounts[d] - 3750) < 300, "d=" + d + ": " + linearCounts[d]);
        }
    }
}

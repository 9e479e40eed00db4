package org.mutor.mutor2d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Small plans checked slot by slot against tables derived by hand in the comments. Mask rows use
 * 'x' for "may attend" and '.' for "blocked", one character per key slot.
 */
class GoldenPlanTest {

    private static final int I = RegisterPlan.IGNORE;

    static String[] maskRows(RegisterPlan plan) {
        String[] rows = new String[plan.length()];
        for (int i = 0; i < plan.length(); i++) {
            StringBuilder row = new StringBuilder();
            for (int j = 0; j < plan.length(); j++) {
                row.append(plan.allowed(i, j) ? 'x' : '.');
            }
            rows[i] = row.toString();
        }
        return rows;
    }

    private static void assertPlan(RegisterPlan plan, int[] realIndex, int[] positionIds,
            int[] targetIndex, String[] mask) {
        assertArrayEquals(realIndex, plan.realIndices(), "real indices");
        assertArrayEquals(positionIds, plan.positionIds(), "position ids");
        assertArrayEquals(targetIndex, plan.targetIndices(), "target indices");
        assertArrayEquals(mask, maskRows(plan), "mask");
    }

    /*
     * 1D, P = 2, A = 4, d = 2, bidirectional prompt. Tokens x0 x1 | x2 x3 x4 x5, inputs x0..x4.
     * Sites t run from P-1 = 1 to L-1-d = 3. The register after x_t predicts x_{t+2} with
     * position id t+1: after x1 -> x3 (pos 2), after x2 -> x4 (pos 3), after x3 -> x5 (pos 4).
     * Real targets: x0 -> x1 is inside the prompt, so ignored; x1 -> x2 ... x4 -> x5.
     * Prompt tokens see both prompt tokens; the register after x_t sees reals up to x_t.
     */
    @Test
    void promptAnswerFullWithBidirectionalPrompt() {
        RegisterPlan plan = RegisterPlanner.full(new PromptAnswerLayout(2, 4, true), new LinearOffset(2));
        assertPlan(plan,
                new int[] {0, 1, -1, 2, -1, 3, -1, 4},
                new int[] {0, 1, 2, 2, 3, 3, 4, 4},
                new int[] {I, 2, 3, 3, 4, 4, 5, 5},
                new String[] {
                    "xx......", // x0 sees the whole prompt
                    "xx......", // x1
                    "xxx.....", // R after x1
                    "xx.x....", // x2
                    "xx.xx...", // R after x2
                    "xx.x.x..", // x3
                    "xx.x.xx.", // R after x3
                    "xx.x.x.x", // x4
                });
        assertArrayEquals(new int[] {1, 2, 3}, plan.registerSites());
    }

    /*
     * The worked example of the prompt/answer layout documentation: P = 2, A = 3, d = 2, tokens
     * x0 x1 | x2 x3 x4. Sites t = 1, 2 give slots x0 x1 R x2 R x3; the registers predict x3
     * (position id 2) and x4 (position id 3).
     */
    @Test
    void promptAnswerDocumentedExample() {
        RegisterPlan plan = RegisterPlanner.full(new PromptAnswerLayout(2, 3, false), new LinearOffset(2));
        assertPlan(plan,
                new int[] {0, 1, -1, 2, -1, 3},
                new int[] {0, 1, 2, 2, 3, 3},
                new int[] {I, 2, 3, 3, 4, 4},
                new String[] {"x.....", "xx....", "xxx...", "xx.x..", "xx.xx.", "xx.x.x"});
    }

    /* Same layout with a causal prompt: only the first row changes, x0 no longer sees x1. */
    @Test
    void promptAnswerFullWithCausalPrompt() {
        RegisterPlan plan = RegisterPlanner.full(new PromptAnswerLayout(2, 4, false), new LinearOffset(2));
        assertEquals("x.......", maskRows(plan)[0]);
        assertEquals("xx......", maskRows(plan)[1]);
        assertArrayEquals(new int[] {I, 2, 3, 3, 4, 4, 5, 5}, plan.targetIndices());
    }

    /*
     * Sparse 1D, same layout, K = 1. Sites [1, 2, 3]; the scripted draw nextInt(3) = 2 swaps
     * site 3 to the front, so the only register follows x3: it predicts x5 with position id 4.
     * Slots x0 x1 x2 x3 R x4; the register sees x0..x3 and itself, x4 sees x0..x4 but not R.
     */
    @Test
    void promptAnswerSparse() {
        RegisterPlan plan = RegisterPlanner.sparse(new PromptAnswerLayout(2, 4, true),
                new LinearOffset(2), 1, new ScriptedRandom(2));
        assertPlan(plan,
                new int[] {0, 1, 2, 3, -1, 4},
                new int[] {0, 1, 2, 3, 4, 4},
                new int[] {I, 2, 3, 4, 5, 5},
                new String[] {"xx....", "xx....", "xxx...", "xxxx..", "xxxxx.", "xxxx.x"});
    }

    /*
     * 3x3 grid, offset (2, 2): W = 3, N = 9, D = (2-1)*3 + 2 = 5, u = s + 4.
     * s=1 col 0 -> u=5; s=2 col 1 -> u=6; s=3 col 2 -> col+1 = 3 wraps, skipped;
     * s=4 col 0 -> u=8; s=5 col 1 -> u=9; s>=6 -> u > 9, skipped. Position ids u-1 = 4, 5, 7, 8.
     * The register before x_s follows input slot s-1 (cls for s = 1).
     */
    @Test
    void gridFullOffsetTwoTwo() {
        RegisterPlan plan = RegisterPlanner.full(new GridLayout(3, 3), new GridOffset(2, 2));
        assertPlan(plan,
                // cls  R  x1  R  x2 x3  R  x4  R  x5 x6 x7 x8
                new int[] {0, -1, 1, -1, 2, 3, -1, 4, -1, 5, 6, 7, 8},
                new int[] {0, 4, 1, 5, 2, 3, 7, 4, 8, 5, 6, 7, 8},
                new int[] {1, 5, 2, 6, 3, 4, 8, 5, 9, 6, 7, 8, 9},
                new String[] {
                    "x............", // cls
                    "xx...........", // R before x1 -> x5
                    "x.x..........", // x1
                    "x.xx.........", // R before x2 -> x6
                    "x.x.x........", // x2
                    "x.x.xx.......", // x3
                    "x.x.xxx......", // R before x4 -> x8
                    "x.x.xx.x.....", // x4
                    "x.x.xx.xx....", // R before x5 -> x9
                    "x.x.xx.x.x...", // x5
                    "x.x.xx.x.xx..", // x6
                    "x.x.xx.x.xxx.", // x7
                    "x.x.xx.x.xxxx", // x8
                });
    }

    /*
     * 3x3 grid, offset (1, 3): D = 3, u = s + 2, valid only in column 0 (col + 2 < 3):
     * s = 1, 4, 7 -> u = 3, 6, 9, position ids 2, 5, 8.
     */
    @Test
    void gridFullOffsetOneThree() {
        RegisterPlan plan = RegisterPlanner.full(new GridLayout(3, 3), new GridOffset(1, 3));
        assertPlan(plan,
                // cls  R  x1 x2 x3  R  x4 x5 x6  R  x7 x8
                new int[] {0, -1, 1, 2, 3, -1, 4, 5, 6, -1, 7, 8},
                new int[] {0, 2, 1, 2, 3, 5, 4, 5, 6, 8, 7, 8},
                new int[] {1, 3, 2, 3, 4, 6, 5, 6, 7, 9, 8, 9},
                new String[] {
                    "x...........",
                    "xx..........",
                    "x.x.........",
                    "x.xx........",
                    "x.xxx.......",
                    "x.xxxx......",
                    "x.xxx.x.....",
                    "x.xxx.xx....",
                    "x.xxx.xxx...",
                    "x.xxx.xxxx..",
                    "x.xxx.xxx.x.",
                    "x.xxx.xxx.xx",
                });
    }

    /*
     * 3x3 grid, offset (3, 1): D = 7, u = s + 6, every column fits (col + 0 < 3) but u <= 9 needs
     * s <= 3: s = 1, 2, 3 -> u = 7, 8, 9, position ids 6, 7, 8.
     */
    @Test
    void gridFullOffsetThreeOne() {
        RegisterPlan plan = RegisterPlanner.full(new GridLayout(3, 3), new GridOffset(3, 1));
        assertPlan(plan,
                // cls  R  x1  R  x2  R  x3 x4 x5 x6 x7 x8
                new int[] {0, -1, 1, -1, 2, -1, 3, 4, 5, 6, 7, 8},
                new int[] {0, 6, 1, 7, 2, 8, 3, 4, 5, 6, 7, 8},
                new int[] {1, 7, 2, 8, 3, 9, 4, 5, 6, 7, 8, 9},
                new String[] {
                    "x...........",
                    "xx..........",
                    "x.x.........",
                    "x.xx........",
                    "x.x.x.......",
                    "x.x.xx......",
                    "x.x.x.x.....",
                    "x.x.x.xx....",
                    "x.x.x.xxx...",
                    "x.x.x.xxxx..",
                    "x.x.x.xxxxx.",
                    "x.x.x.xxxxxx",
                });
    }

    /*
     * Sparse 3x3, offset (2, 2), K = 2. Valid sites [0, 1, 3, 4] (see the full case).
     * Scripted draws: nextInt(4) = 2 swaps positions 0 and 2 -> [3, 1, 0, 4]; nextInt(3) = 0
     * keeps position 1. Chosen {3, 1}, sorted [1, 3]: registers before x2 (-> x6, pos 5) and
     * before x4 (-> x8, pos 7).
     */
    @Test
    void gridSparseOffsetTwoTwo() {
        RegisterPlan plan = RegisterPlanner.sparse(new GridLayout(3, 3), new GridOffset(2, 2), 2,
                new ScriptedRandom(2, 0));
        assertPlan(plan,
                // cls x1  R  x2 x3  R  x4 x5 x6 x7 x8
                new int[] {0, 1, -1, 2, 3, -1, 4, 5, 6, 7, 8},
                new int[] {0, 1, 5, 2, 3, 7, 4, 5, 6, 7, 8},
                new int[] {1, 2, 6, 3, 4, 8, 5, 6, 7, 8, 9},
                new String[] {
                    "x..........",
                    "xx.........",
                    "xxx........",
                    "xx.x.......",
                    "xx.xx......",
                    "xx.xxx.....",
                    "xx.xx.x....",
                    "xx.xx.xx...",
                    "xx.xx.xxx..",
                    "xx.xx.xxxx.",
                    "xx.xx.xxxxx",
                });
    }

    /* NTP baseline of the 3x3 grid: nine inputs cls, x1..x8, plain causal mask, no registers. */
    @Test
    void gridNextTokenOnly() {
        RegisterPlan plan = RegisterPlanner.ntp(new GridLayout(3, 3));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, plan.realIndices());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, plan.positionIds());
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, plan.targetIndices());
        assertEquals("xxxx.....", maskRows(plan)[3]);
        assertEquals(0, plan.registerCount());
    }

    /*
     * Token ids and the padded bias for the 2x2 grid, offset (1, 2) (the class documentation's
     * example): slots cls R x1 x2 R x3, target indices 1 2 2 3 4 4.
     */
    @Test
    void tokensTargetsAndPaddedBias() {
        RegisterPlan plan = RegisterPlanner.full(new GridLayout(2, 2), new GridOffset(1, 2));
        int[] sequence = {1000, 11, 12, 13, 14}; // class id 1000, then x1..x4
        assertArrayEquals(new int[] {1000, -1, 11, 12, -1, 13}, plan.inputTokens(sequence, -1));
        assertArrayEquals(new long[] {11, 12, 12, 13, 14, 14}, plan.targets(sequence));
        assertArrayEquals(new int[] {0, 1, 1, 2, 3, 3}, plan.positionIds());
        int[] horizons = new int[plan.length()];
        for (int k = 0; k < horizons.length; k++) {
            horizons[k] = plan.horizon(k);
        }
        assertArrayEquals(new int[] {0, 0, 1, 2, 2, 3}, horizons);

        float n = Float.NEGATIVE_INFINITY;
        float[] bias = plan.additiveBias(7);
        float[] expected = {
            0, n, n, n, n, n, n, // cls
            0, 0, n, n, n, n, n, // R after cls
            0, n, 0, n, n, n, n, // x1
            0, n, 0, 0, n, n, n, // x2
            0, n, 0, 0, 0, n, n, // R after x2
            0, n, 0, 0, n, 0, n, // x3
            n, n, n, n, n, n, 0, // padding sees only itself
        };
        assertArrayEquals(expected, bias);
    }
}

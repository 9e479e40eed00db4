package org.mutor.mutor2d;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The core against {@link NaivePlan} on many random layouts, offsets and modes. */
class NaiveAgreementTest {

    private static final int CASES = 600;

    @Test
    void gridPlansMatchNaiveLoops() {
        SplittableRandom random = new SplittableRandom(20250518L);
        int withRegisters = 0;
        for (int c = 0; c < CASES; c++) {
            int h = 1 + random.nextInt(6);
            int w = 1 + random.nextInt(6);
            int dh;
            int dw;
            do {
                dh = 1 + random.nextInt(5);
                dw = 1 + random.nextInt(5);
            } while (dh == 1 && dw == 1);
            GridLayout layout = new GridLayout(h, w);
            GridOffset offset = new GridOffset(dh, dw);
            String label = "grid " + h + "x" + w + " offset " + offset.label();
            List<Integer> naiveSites = NaivePlan.gridSites(h, w, dh, dw);

            RegisterPlan full = RegisterPlanner.full(layout, offset);
            assertSame(NaivePlan.grid(h, w, dh, dw, t -> true), full, label + " full");

            int k = 1 + random.nextInt(h * w + 2);
            RegisterPlan sparse = RegisterPlanner.sparse(layout, offset, k, random);
            Set<Integer> chosen = checkSparseSites(sparse, naiveSites, k, label);
            assertSame(NaivePlan.grid(h, w, dh, dw, chosen::contains), sparse, label + " sparse K=" + k);
            withRegisters += full.registerCount() > 0 ? 1 : 0;
        }
        // About 42% of the drawn (grid, offset) pairs fit an offset inside the grid.
        assertTrue(withRegisters > CASES / 4, "too few random cases place registers: " + withRegisters);
    }

    @Test
    void promptAnswerPlansMatchNaiveLoops() {
        SplittableRandom random = new SplittableRandom(7L);
        for (int c = 0; c < CASES; c++) {
            int prompt = 1 + random.nextInt(5);
            int answer = 1 + random.nextInt(8);
            int d = 1 + random.nextInt(10);
            boolean bidirectional = random.nextBoolean();
            PromptAnswerLayout layout = new PromptAnswerLayout(prompt, answer, bidirectional);
            LinearOffset offset = new LinearOffset(d);
            String label = "P=" + prompt + " A=" + answer + " d=" + d + " bidirectional=" + bidirectional;
            List<Integer> naiveSites = NaivePlan.promptAnswerSites(prompt, answer, d);

            assertSame(NaivePlan.promptAnswer(prompt, answer, d, bidirectional, t -> true),
                    RegisterPlanner.full(layout, offset), label + " full");
            assertSame(NaivePlan.promptAnswer(prompt, answer, 0, bidirectional, t -> false),
                    RegisterPlanner.ntp(layout), label + " ntp");

            int k = 1 + random.nextInt(answer + 2);
            RegisterPlan sparse = RegisterPlanner.sparse(layout, offset, k, random);
            Set<Integer> chosen = checkSparseSites(sparse, naiveSites, k, label);
            assertSame(NaivePlan.promptAnswer(prompt, answer, d, bidirectional, chosen::contains),
                    sparse, label + " sparse K=" + k);
        }
    }

    /** Sparse sites must be distinct valid sites, as many as {@code min(K, valid)}. */
    private static Set<Integer> checkSparseSites(RegisterPlan sparse, List<Integer> naiveSites, int k,
            String label) {
        Set<Integer> chosen = new HashSet<>();
        for (int site : sparse.registerSites()) {
            assertTrue(naiveSites.contains(site), label + ": sparse site " + site + " is not valid");
            assertTrue(chosen.add(site), label + ": sparse site " + site + " repeats");
        }
        assertEquals(Math.min(k, naiveSites.size()), chosen.size(), label + ": sparse count");
        return chosen;
    }

    private static void assertSame(NaivePlan naive, RegisterPlan plan, String label) {
        int n = naive.slots.size();
        assertEquals(n, plan.length(), label + ": length");
        for (int k = 0; k < n; k++) {
            NaivePlan.Slot slot = naive.slots.get(k);
            assertEquals(slot.register(), plan.isRegister(k), label + ": kind of slot " + k);
            assertEquals(slot.token(), plan.realIndex(k), label + ": token of slot " + k);
            assertEquals(slot.position(), plan.positionId(k), label + ": position of slot " + k);
            assertEquals(slot.target(), plan.targetIndex(k), label + ": target of slot " + k);
        }
        boolean[][] core = plan.allowedMatrix();
        for (int q = 0; q < n; q++) {
            assertArrayEquals(naive.allowed[q], core[q], label + ": mask row " + q + " core "
                    + Arrays.toString(core[q]));
        }
    }
}

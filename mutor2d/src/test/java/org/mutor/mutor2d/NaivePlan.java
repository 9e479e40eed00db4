package org.mutor.mutor2d;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Independent reference for the register core, written from the method description with plain
 * loops over positions and grid cells. It shares no code with the main sources: masks come from
 * the order of slots in the sequence, not from horizons.
 */
final class NaivePlan {

    /** One slot; {@code after} is the token index of the real token just before a register. */
    record Slot(boolean register, int token, int position, int target, int after) {}

    final List<Slot> slots = new ArrayList<>();
    final boolean[][] allowed;

    private NaivePlan(List<Slot> built, int promptLength, boolean bidirectional) {
        slots.addAll(built);
        int n = slots.size();
        allowed = new boolean[n][n];
        for (int q = 0; q < n; q++) {
            for (int k = 0; k < n; k++) {
                Slot query = slots.get(q);
                Slot key = slots.get(k);
                if (q == k) {
                    allowed[q][k] = true;
                } else if (key.register()) {
                    allowed[q][k] = false; // nobody looks at another slot's register
                } else if (query.register()) {
                    allowed[q][k] = k < q; // every real token placed before the register
                } else if (bidirectional && query.token() < promptLength) {
                    allowed[q][k] = key.token() < promptLength;
                } else {
                    allowed[q][k] = key.token() <= query.token();
                }
            }
        }
    }

    /**
     * Image grid: inputs are cls (position 0) and x_1 .. x_{N-1}. Before each image token x_s
     * (s = 1 .. N) a register may go; it predicts the cell d_h - 1 rows down and d_w - 1 columns
     * right of x_s's cell, if that cell is on the grid. {@code keepAfter} filters by the token the
     * register follows; pass {@code t -> true} for full mode.
     */
    static NaivePlan grid(int height, int width, int dh, int dw, IntPredicate keepAfter) {
        int n = height * width;
        List<Slot> built = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            built.add(new Slot(false, p, p, p + 1, -1));
            int s = p + 1; // the next image token
            int row = (s - 1) / width;
            int col = (s - 1) % width;
            int targetRow = row + dh - 1;
            int targetCol = col + dw - 1;
            if (targetRow < height && targetCol < width && keepAfter.test(p)) {
                int u = targetRow * width + targetCol + 1;
                built.add(new Slot(true, -1, u - 1, u, p));
            }
        }
        return new NaivePlan(built, 1, false);
    }

    /** Registers a grid plan would place in full mode: the tokens they follow, in order. */
    static List<Integer> gridSites(int height, int width, int dh, int dw) {
        return sites(grid(height, width, dh, dw, t -> true));
    }

    /**
     * Prompt x_0 .. x_{P-1}, answer x_P .. x_{P+A-1}; inputs all but the last token. Before each
     * answer token a register may go; following x_i it predicts x_{i+d} if that exists.
     */
    static NaivePlan promptAnswer(int prompt, int answer, int d, boolean bidirectional,
            IntPredicate keepAfter) {
        int total = prompt + answer;
        List<Slot> built = new ArrayList<>();
        for (int i = 0; i < total - 1; i++) {
            boolean nextIsAnswer = i + 1 >= prompt;
            built.add(new Slot(false, i, i, nextIsAnswer ? i + 1 : RegisterPlan.IGNORE, -1));
            if (d > 0 && nextIsAnswer && i + d <= total - 1 && keepAfter.test(i)) {
                built.add(new Slot(true, -1, i + d - 1, i + d, i));
            }
        }
        return new NaivePlan(built, prompt, bidirectional);
    }

    static List<Integer> promptAnswerSites(int prompt, int answer, int d) {
        return sites(promptAnswer(prompt, answer, d, false, t -> true));
    }

    private static List<Integer> sites(NaivePlan plan) {
        List<Integer> result = new ArrayList<>();
        for (Slot slot : plan.slots) {
            if (slot.register()) {
                result.add(slot.after());
            }
        }
        return result;
    }
}

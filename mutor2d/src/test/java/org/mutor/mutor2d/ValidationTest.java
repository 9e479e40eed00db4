package org.mutor.mutor2d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Bad arguments are rejected with messages that name the value. */
class ValidationTest {

    private static void rejects(String fragment, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }

    @Test
    void rejectsBadOffsetsAndLayouts() {
        rejects("d=0", () -> new LinearOffset(0));
        rejects("(1,1)", () -> new GridOffset(1, 1));
        rejects("(0,2)", () -> new GridOffset(0, 2));
        rejects("0x3", () -> new GridLayout(0, 3));
        rejects("prompt length 0", () -> new PromptAnswerLayout(0, 3, true));
        rejects("answer length 0", () -> new PromptAnswerLayout(2, 0, true));
        rejects("only (1,1)", () -> GridOffset.sample(1, new SplittableRandom(1)));
        rejects("maximum 1D offset 0", () -> LinearOffset.sample(0, new SplittableRandom(1)));
        rejects("needs a 2D offset", () -> RegisterPlanner.full(new GridLayout(2, 2), new LinearOffset(2)));
        rejects("needs a 1D offset", () -> RegisterPlanner.full(new PromptAnswerLayout(1, 2, false), new GridOffset(1, 2)));
    }

    @Test
    void parsesCommandLineValues() {
        assertEquals(new GridLayout(4, 3), GridLayout.parse("4x3"));
        assertEquals(new GridOffset(2, 3), GridOffset.parse("2,3"));
        assertEquals(new LinearOffset(2), LinearOffset.parse(" 2"));
        rejects("'4by4'", () -> GridLayout.parse("4by4"));
        rejects("'2;3'", () -> GridOffset.parse("2;3"));
        rejects("'a,3'", () -> GridOffset.parse("a,3"));
        rejects("'two'", () -> LinearOffset.parse("two"));
    }

    @Test
    void rejectsBadPlanArguments() {
        GridLayout grid = new GridLayout(3, 3);
        GridOffset offset = new GridOffset(2, 2);
        rejects("count 0", () -> RegisterPlanner.sparse(grid, offset, 0, new SplittableRandom(1)));
        rejects("token 2", () -> RegisterPlanner.withSites(grid, offset, new int[] {2}));
        rejects("ascending", () -> RegisterPlanner.withSites(grid, offset, new int[] {1, 0}));
        RegisterPlan plan = RegisterPlanner.withSites(grid, offset, new int[] {0, 4});
        assertEquals(2, plan.registerCount());
        rejects("padded length 3", () -> plan.additiveBias(3));
        rejects("needs 10", () -> plan.inputTokens(new int[9], 0));
        rejects("needs 10", () -> plan.targets(new int[11]));
        rejects("count 0", () -> new RegisterSampler(RegisterMode.SPARSE, 4, 0));
        rejects("offset 0", () -> new RegisterSampler(RegisterMode.FULL, 0, 0));
        rejects("needs an offset", () -> RegisterPlanTable.show(grid, null, RegisterMode.FULL, 0, 0));
    }

    @Test
    void rejectsBadBatchAndLossArguments() {
        RegisterPlan plan = RegisterPlanner.ntp(new GridLayout(2, 2));
        rejects("at least one plan", () -> RegisterBatch.of(List.of()));
        rejects("batch length 3", () -> RegisterBatch.of(List.of(plan), 3));
        RegisterBatch batch = RegisterBatch.of(List.of(plan));
        rejects("1 token sequences for 2 plans", () -> RegisterBatch.of(List.of(plan, plan)).targets(List.of(new int[5])));
        rejects("a=1.5", () -> RegisterLoss.combine(plan, new double[4], 1.5));
        rejects("a=NaN", () -> RegisterLoss.weights(plan, Double.NaN));
        rejects("got 3 slot losses", () -> RegisterLoss.combine(batch, new double[3], 0.5));
    }
}

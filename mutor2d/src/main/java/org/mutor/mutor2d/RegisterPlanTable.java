package org.mutor.mutor2d;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Text rendering of a {@link RegisterPlan} for the {@code mutor registers show} command: one row
 * per slot, then the attention mask as a character grid.
 */
public final class RegisterPlanTable {

    private RegisterPlanTable() {}

    /**
     * Builds a plan and renders it.
     *
     * @param offset register offset; ignored, and may be null, for {@link RegisterMode#NONE}
     * @param registers {@code K} for sparse mode; ignored otherwise
     * @param seed seed of the generator that draws sparse places
     * @throws IllegalArgumentException if the offset is missing or does not fit the layout, or
     *     {@code registers < 1} in sparse mode
     */
    public static String show(RegisterLayout layout, RegisterOffset offset, RegisterMode mode,
            int registers, long seed) {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(mode, "mode");
        if (mode != RegisterMode.NONE && offset == null) {
            throw new IllegalArgumentException("mode " + mode.name().toLowerCase(java.util.Locale.ROOT)
                    + " needs an offset, such as 2 (1D) or 2,3 (2D)");
        }
        RegisterPlan plan = switch (mode) {
            case NONE -> RegisterPlanner.ntp(layout);
            case FULL -> RegisterPlanner.full(layout, offset);
            case SPARSE -> RegisterPlanner.sparse(layout, offset, registers, new SplittableRandom(seed));
        };
        String modeLine = switch (mode) {
            case NONE -> "mode: none (next-token prediction only)";
            case FULL -> "mode: full";
            case SPARSE -> "mode: sparse, K=" + registers + ", seed " + seed;
        };
        String empty = mode != RegisterMode.NONE && plan.registerCount() == 0
                ? "note: no register target fits this layout with offset " + offset.label() + "; use a smaller offset\n" : "";
        return modeLine + "\n" + empty + render(plan);
    }

    /**
     * Renders the slot table and the mask. Token names are {@code p<i>}/{@code a<i>} for prompt and
     * answer tokens counted from the start of their region, and {@code cls}/{@code x<s>(row,col)}
     * for images.
     */
    public static String render(RegisterPlan plan) {
        RegisterLayout layout = plan.layout();
        StringBuilder out = new StringBuilder();
        out.append("layout: ").append(describe(layout)).append('\n');
        out.append("offset: ").append(plan.offset().map(o -> o.label() + " (flat shift "
                + layout.shift(o) + ")").orElse("none")).append('\n');
        out.append("slots: ").append(plan.length()).append(" (real inputs ").append(layout.inputLength())
                .append(", registers ").append(plan.registerCount()).append(")\n\n");

        String[] tokens = new String[plan.length()];
        String[] targets = new String[plan.length()];
        int tokenWidth = "token".length();
        for (int k = 0; k < plan.length(); k++) {
            tokens[k] = plan.isRegister(k) ? "-" : layout.tokenName(plan.realIndex(k));
            targets[k] = plan.targetIndex(k) < 0 ? "-" : layout.tokenName(plan.targetIndex(k));
            tokenWidth = Math.max(tokenWidth, tokens[k].length());
        }
        out.append(String.format("%4s %4s %-" + tokenWidth + "s %4s %s%n", "slot", "kind", "token", "pos",
                "target"));
        for (int k = 0; k < plan.length(); k++) {
            out.append(String.format("%4d %4s %-" + tokenWidth + "s %4d %s%n", k,
                    plan.isRegister(k) ? "R" : "T", tokens[k], plan.positionId(k), targets[k]));
        }

        out.append("\nmask: row = query slot, column = key slot (last digit), x = may attend, . = blocked\n");
        out.append("         ");
        for (int j = 0; j < plan.length(); j++) {
            out.append(j % 10);
        }
        out.append('\n');
        for (int i = 0; i < plan.length(); i++) {
            out.append(String.format("%4d %s   ", i, plan.isRegister(i) ? "R" : "T"));
            for (int j = 0; j < plan.length(); j++) {
                out.append(plan.allowed(i, j) ? 'x' : '.');
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String describe(RegisterLayout layout) {
        if (layout instanceof GridLayout grid) {
            return "grid " + grid.height() + "x" + grid.width() + " (class token + "
                    + grid.imageTokens() + " image tokens)";
        }
        PromptAnswerLayout text = (PromptAnswerLayout) layout;
        return "prompt " + text.promptLength() + " + answer " + text.answerLength()
                + (text.bidirectionalPrompt() ? " (bidirectional prompt)" : " (causal prompt)");
    }
}

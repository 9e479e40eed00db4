package org.mutor.mutor2d;

import java.util.List;
import java.util.Objects;

/**
 * {@code B} plans padded to one length {@code L}, flattened row-major for tensor creation: per-slot
 * arrays are {@code [B, L]} and the attention bias is {@code [B, L, L]}. Padding slots have
 * position id 0, an ignored target, and attend only to themselves.
 */
public final class RegisterBatch {

    private final List<RegisterPlan> plans;
    private final int length;

    private RegisterBatch(List<RegisterPlan> plans, int length) {
        this.plans = plans;
        this.length = length;
    }

    /** Pads {@code plans} to the longest plan's length. */
    public static RegisterBatch of(List<RegisterPlan> plans) {
        int longest = 0;
        for (RegisterPlan plan : plans) {
            longest = Math.max(longest, plan.length());
        }
        return of(plans, longest);
    }

    /**
     * Pads {@code plans} to {@code length} slots, for example to keep tensor shapes fixed.
     *
     * @throws IllegalArgumentException if the list is empty or a plan is longer than {@code length}
     */
    public static RegisterBatch of(List<RegisterPlan> plans, int length) {
        List<RegisterPlan> copy = List.copyOf(plans);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a register batch needs at least one plan");
        }
        for (int b = 0; b < copy.size(); b++) {
            if (copy.get(b).length() > length) {
                throw new IllegalArgumentException("plan " + b + " has " + copy.get(b).length()
                        + " slots, more than the batch length " + length + "; raise the length");
            }
        }
        return new RegisterBatch(copy, length);
    }

    /** Number {@code B} of sequences. */
    public int batchSize() {
        return plans.size();
    }

    /** Padded length {@code L} of every row. */
    public int length() {
        return length;
    }

    /** Returns the plans, one per row. */
    public List<RegisterPlan> plans() {
        return plans;
    }

    /**
     * Returns input token ids {@code [B, L]}; registers and padding get {@code fill}.
     *
     * @param sequences register-free token ids of each row, in plan order
     */
    public int[] inputTokens(List<int[]> sequences, int fill) {
        checkRows(sequences);
        int[] tokens = new int[plans.size() * length];
        java.util.Arrays.fill(tokens, fill);
        for (int b = 0; b < plans.size(); b++) {
            int[] row = plans.get(b).inputTokens(sequences.get(b), fill);
            System.arraycopy(row, 0, tokens, b * length, row.length);
        }
        return tokens;
    }

    /**
     * Returns target token ids {@code [B, L]}, {@link RegisterPlan#IGNORE} at padding and at slots
     * without a loss.
     */
    public long[] targets(List<int[]> sequences) {
        checkRows(sequences);
        long[] targets = new long[plans.size() * length];
        java.util.Arrays.fill(targets, RegisterPlan.IGNORE);
        for (int b = 0; b < plans.size(); b++) {
            long[] row = plans.get(b).targets(sequences.get(b));
            System.arraycopy(row, 0, targets, b * length, row.length);
        }
        return targets;
    }

    /** Returns position ids {@code [B, L]}, 0 at padding. */
    public int[] positionIds() {
        int[] ids = new int[plans.size() * length];
        for (int b = 0; b < plans.size(); b++) {
            int[] row = plans.get(b).positionIds();
            System.arraycopy(row, 0, ids, b * length, row.length);
        }
        return ids;
    }

    /** Returns register flags {@code [B, L]}: true where the model substitutes the register embedding. */
    public boolean[] registerMask() {
        boolean[] mask = new boolean[plans.size() * length];
        for (int b = 0; b < plans.size(); b++) {
            boolean[] row = plans.get(b).registerMask();
            System.arraycopy(row, 0, mask, b * length, row.length);
        }
        return mask;
    }

    /** Returns padding flags {@code [B, L]}. */
    public boolean[] paddingMask() {
        boolean[] mask = new boolean[plans.size() * length];
        for (int b = 0; b < plans.size(); b++) {
            java.util.Arrays.fill(mask, b * length + plans.get(b).length(), (b + 1) * length, true);
        }
        return mask;
    }

    /**
     * Returns per-slot real token indices {@code [B, L]}, -1 at registers and padding. With {@link
     * #horizons}, this lets tensor code build the mask without the {@code [B, L, L]} array: query
     * {@code i} may attend to key {@code j} when {@code i == j} or {@code 0 <= realIndex[j] <=
     * horizon[i]}.
     */
    public int[] realIndices() {
        int[] indices = new int[plans.size() * length];
        java.util.Arrays.fill(indices, -1);
        for (int b = 0; b < plans.size(); b++) {
            int[] row = plans.get(b).realIndices();
            System.arraycopy(row, 0, indices, b * length, row.length);
        }
        return indices;
    }

    /** Returns per-slot attention horizons {@code [B, L]} ({@link RegisterPlan#horizon}), -1 at padding. */
    public int[] horizons() {
        int[] horizons = new int[plans.size() * length];
        java.util.Arrays.fill(horizons, -1);
        for (int b = 0; b < plans.size(); b++) {
            RegisterPlan plan = plans.get(b);
            for (int k = 0; k < plan.length(); k++) {
                horizons[b * length + k] = plan.horizon(k);
            }
        }
        return horizons;
    }

    /** Returns the additive attention bias {@code [B, L, L]}: 0 allowed, negative infinity blocked. */
    public float[] additiveMask() {
        float[] bias = new float[plans.size() * length * length];
        for (int b = 0; b < plans.size(); b++) {
            plans.get(b).writeAdditiveBias(bias, b * length * length, length);
        }
        return bias;
    }

    private void checkRows(List<int[]> sequences) {
        Objects.requireNonNull(sequences, "sequences");
        if (sequences.size() != plans.size()) {
            throw new IllegalArgumentException("got " + sequences.size() + " token sequences for "
                    + plans.size() + " plans; pass one per plan");
        }
    }
}

package org.mutor.mutor2d;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Interleaved training input for one sequence: the real input tokens {@code x_0 .. x_{L-2}} of a
 * {@link RegisterLayout} in order, with each register placed right after the real token {@code
 * x_t} it follows. Plans are built by {@link RegisterPlanner}, hold no token ids, and are
 * immutable, so one plan serves every sequence of the same layout, offset and placement.
 *
 * <p>Per slot {@code k} the plan stores:
 *
 * <ul>
 *   <li>{@link #realIndex}: {@code i} for real token {@code x_i}, {@code -1} for a register;
 *   <li>{@link #positionId}: {@code i} for {@code x_i}; {@code t + D - 1} for the register after
 *       {@code x_t}, the position of the real token that predicts the same target under NTP;
 *   <li>{@link #targetIndex}: {@code i + 1} for {@code x_i} when {@code i + 1 >= P} (inside the
 *       predicted region), otherwise {@link #IGNORE}; {@code t + D} for the register after
 *       {@code x_t};
 *   <li>{@link #horizon}: the last real token index the slot attends to. Slot {@code k} may
 *       attend to slot {@code j} when {@code j == k}, or when {@code j} is real with {@code
 *       realIndex(j) <= horizon(k)}. Real tokens have horizon {@code i} (causal), prompt tokens of
 *       a bidirectional prompt {@code P - 1}, and the register after {@code x_t} has {@code t}. So
 *       no slot ever attends to a register other than itself.
 * </ul>
 *
 * <p>Worked example, {@link GridLayout} 2x2 ({@code N = 4, W = 2}), offset {@code (d_h, d_w) =
 * (1, 2)}, full mode. {@code D = (1 - 1) * 2 + 2 = 2}. The register before {@code x_s} (after
 * {@code t = s - 1}) predicts {@code x_{s+1}}; it is valid for {@code s = 1} (column 0) and
 * {@code s = 3} (column 0) and not for {@code s = 2, 4} (column 1 would wrap):
 *
 * <pre>
 * slot        0    1    2    3    4    5
 * content     cls  R    x1   x2   R    x3
 * realIndex   0    -1   1    2    -1   3
 * positionId  0    1    1    2    3    3
 * targetIndex 1    2    2    3    4    4
 * horizon     0    0    1    2    2    3
 * </pre>
 *
 * The register in slot 1 attends to {@code cls} and itself, and its target {@code x2} at rotary index 1
 * is the token that {@code x1} (also index 1) predicts under NTP.
 */
public final class RegisterPlan {

    /** Target index of slots without a loss; also the target id {@link #targets} writes there. */
    public static final int IGNORE = -100;

    private final RegisterLayout layout;
    private final RegisterOffset offset;
    private final int[] realIndex;
    private final int[] positionId;
    private final int[] targetIndex;
    private final int[] horizon;
    private final int[] sites;

    RegisterPlan(RegisterLayout layout, RegisterOffset offset, int[] realIndex, int[] positionId,
            int[] targetIndex, int[] horizon, int[] sites) {
        this.layout = Objects.requireNonNull(layout, "layout");
        this.offset = offset;
        this.realIndex = realIndex;
        this.positionId = positionId;
        this.targetIndex = targetIndex;
        this.horizon = horizon;
        this.sites = sites;
    }

    /** Layout of the register-free sequence. */
    public RegisterLayout layout() {
        return layout;
    }

    /** Offset of the registers; empty for a plain next-token plan. */
    public Optional<RegisterOffset> offset() {
        return Optional.ofNullable(offset);
    }

    /** Number of slots: {@code L - 1} real inputs plus the registers. */
    public int length() {
        return realIndex.length;
    }

    /** Number of register slots. */
    public int registerCount() {
        return sites.length;
    }

    /** Real tokens {@code t} the registers follow, ascending; one entry per register. */
    public int[] registerSites() {
        return sites.clone();
    }

    /** Returns whether slot {@code slot} is a register. */
    public boolean isRegister(int slot) {
        return realIndex[slot] < 0;
    }

    /** Index {@code i} of real token {@code x_i} in slot {@code slot}, or -1 for a register. */
    public int realIndex(int slot) {
        return realIndex[slot];
    }

    /** Position id of slot {@code slot}; see the class documentation. */
    public int positionId(int slot) {
        return positionId[slot];
    }

    /** Index of the token slot {@code slot} predicts, or {@link #IGNORE}. */
    public int targetIndex(int slot) {
        return targetIndex[slot];
    }

    /** Last real token index slot {@code slot} attends to; see the class documentation. */
    public int horizon(int slot) {
        return horizon[slot];
    }

    /** Per-slot real token indices, -1 at registers. */
    public int[] realIndices() {
        return realIndex.clone();
    }

    /** Per-slot position ids. */
    public int[] positionIds() {
        return positionId.clone();
    }

    /** Per-slot target indices, {@link #IGNORE} where there is no loss. */
    public int[] targetIndices() {
        return targetIndex.clone();
    }

    /** Per-slot register flags, where the model substitutes the register embedding. */
    public boolean[] registerMask() {
        boolean[] mask = new boolean[realIndex.length];
        for (int k = 0; k < mask.length; k++) {
            mask[k] = realIndex[k] < 0;
        }
        return mask;
    }

    /** Returns whether slot {@code query} may attend to slot {@code key}. */
    public boolean allowed(int query, int key) {
        return query == key || (realIndex[key] >= 0 && realIndex[key] <= horizon[query]);
    }

    /** Returns the attention mask as {@code allowed[query][key]}, {@code length() x length()}. */
    public boolean[][] allowedMatrix() {
        int n = length();
        boolean[][] allowed = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                allowed[i][j] = allowed(i, j);
            }
        }
        return allowed;
    }

    /**
     * Returns the additive attention bias, row-major {@code [paddedLength, paddedLength]}: 0 where
     * attention is allowed and negative infinity elsewhere. Padding slots {@code >= length()}
     * attend only to themselves, so no softmax row is empty, and no real slot attends to them.
     *
     * @throws IllegalArgumentException if {@code paddedLength < length()}
     */
    public float[] additiveBias(int paddedLength) {
        float[] bias = new float[paddedLength * paddedLength];
        writeAdditiveBias(bias, 0, paddedLength);
        return bias;
    }

    /** Writes {@link #additiveBias} into {@code bias} starting at {@code offset}. */
    void writeAdditiveBias(float[] bias, int offset, int paddedLength) {
        int n = length();
        if (paddedLength < n) {
            throw new IllegalArgumentException("padded length " + paddedLength
                    + " is shorter than the plan's " + n + " slots; pad to at least " + n);
        }
        Arrays.fill(bias, offset, offset + paddedLength * paddedLength, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < paddedLength; i++) {
            int row = offset + i * paddedLength;
            if (i >= n) {
                bias[row + i] = 0f;
                continue;
            }
            for (int j = 0; j < n; j++) {
                if (allowed(i, j)) {
                    bias[row + j] = 0f;
                }
            }
        }
    }

    /**
     * Returns the input token ids per slot: {@code sequence[realIndex]} for real slots and {@code
     * registerFill} for registers, whose embedding the model replaces.
     *
     * @param sequence register-free token ids {@code x_0 .. x_{L-1}}
     * @throws IllegalArgumentException if {@code sequence} is not {@code L} long
     */
    public int[] inputTokens(int[] sequence, int registerFill) {
        checkSequence(sequence);
        int[] tokens = new int[length()];
        for (int k = 0; k < tokens.length; k++) {
            tokens[k] = realIndex[k] >= 0 ? sequence[realIndex[k]] : registerFill;
        }
        return tokens;
    }

    /**
     * Returns the target token ids per slot, {@link #IGNORE} where there is no loss.
     *
     * @param sequence register-free token ids {@code x_0 .. x_{L-1}}
     * @throws IllegalArgumentException if {@code sequence} is not {@code L} long
     */
    public long[] targets(int[] sequence) {
        checkSequence(sequence);
        long[] targets = new long[length()];
        for (int k = 0; k < targets.length; k++) {
            targets[k] = targetIndex[k] >= 0 ? sequence[targetIndex[k]] : IGNORE;
        }
        return targets;
    }

    void checkSequence(int[] sequence) {
        if (sequence.length != layout.sequenceLength()) {
            throw new IllegalArgumentException("sequence has " + sequence.length
                    + " tokens but the layout needs " + layout.sequenceLength()
                    + " (prefix, predicted tokens and the last one)");
        }
    }

    /** Plans are equal when layout, offset and every per-slot array are equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof RegisterPlan plan
                && layout.equals(plan.layout)
                && Objects.equals(offset, plan.offset)
                && Arrays.equals(realIndex, plan.realIndex)
                && Arrays.equals(positionId, plan.positionId)
                && Arrays.equals(targetIndex, plan.targetIndex)
                && Arrays.equals(horizon, plan.horizon);
    }

    @Override
    public int hashCode() {
        return Objects.hash(layout, offset, Arrays.hashCode(realIndex), Arrays.hashCode(targetIndex));
    }

    @Override
    public String toString() {
        return "RegisterPlan[" + layout + ", offset " + (offset == null ? "none" : offset.label())
                + ", " + length() + " slots, " + registerCount() + " registers]";
    }
}

package org.mutor.mutor2d;

import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/** Builds {@link RegisterPlan}s for a layout and offset; see the plan's class documentation for the indices. */
public final class RegisterPlanner {

    private RegisterPlanner() {}

    /** Builds the plain next-token plan: the {@code L - 1} real inputs and no registers. */
    public static RegisterPlan ntp(RegisterLayout layout) {
        return assemble(layout, null, 0, new int[0]);
    }

    /** Builds the full-mode plan: a register at every valid site of {@code offset}. */
    public static RegisterPlan full(RegisterLayout layout, RegisterOffset offset) {
        return assemble(layout, offset, layout.shift(offset), layout.registerSites(offset));
    }

    /**
     * Builds a sparse-mode plan: {@code min(registers, sites)} registers at valid sites drawn
     * without replacement from {@code random} (a partial Fisher-Yates shuffle, one {@code nextInt}
     * per register drawn), so equal generator states give equal plans.
     *
     * @throws IllegalArgumentException if {@code registers < 1}
     */
    public static RegisterPlan sparse(RegisterLayout layout, RegisterOffset offset, int registers,
            RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        if (registers < 1) {
            throw new IllegalArgumentException("sparse register count " + registers
                    + " must be at least 1; use the plain next-token plan for none");
        }
        int[] valid = layout.registerSites(offset);
        int count = Math.min(registers, valid.length);
        for (int k = 0; k < count; k++) {
            int pick = k + random.nextInt(valid.length - k);
            int swap = valid[k];
            valid[k] = valid[pick];
            valid[pick] = swap;
        }
        int[] chosen = Arrays.copyOf(valid, count);
        Arrays.sort(chosen);
        return assemble(layout, offset, layout.shift(offset), chosen);
    }

    /**
     * Builds a plan with one register after each real token listed in {@code sites}.
     *
     * @param sites strictly ascending real token indices, each a valid site of {@code offset}
     * @throws IllegalArgumentException if a site is out of order or has no valid target
     */
    public static RegisterPlan withSites(RegisterLayout layout, RegisterOffset offset, int[] sites) {
        int[] valid = layout.registerSites(offset);
        for (int k = 0; k < sites.length; k++) {
            if (k > 0 && sites[k] <= sites[k - 1]) {
                throw new IllegalArgumentException("register sites must be strictly ascending, but "
                        + sites[k] + " follows " + sites[k - 1]);
            }
            if (Arrays.binarySearch(valid, sites[k]) < 0) {
                throw new IllegalArgumentException("no valid register target after token " + sites[k]
                        + " for offset " + offset.label() + "; valid sites are " + Arrays.toString(valid));
            }
        }
        return assemble(layout, offset, layout.shift(offset), sites.clone());
    }

    /** Lays out real inputs {@code x_0 .. x_{L-2}} in order, each followed by its register if any. */
    private static RegisterPlan assemble(RegisterLayout layout, RegisterOffset offset, int shift,
            int[] sites) {
        int inputs = layout.inputLength();
        int prefix = layout.prefixLength();
        int n = inputs + sites.length;
        int[] realIndex = new int[n];
        int[] positionId = new int[n];
        int[] targetIndex = new int[n];
        int[] horizon = new int[n];
        int slot = 0;
        int next = 0;
        for (int i = 0; i < inputs; i++) {
            realIndex[slot] = i;
            positionId[slot] = i;
            targetIndex[slot] = i + 1 >= prefix ? i + 1 : RegisterPlan.IGNORE;
            horizon[slot] = layout.bidirectionalPrompt() && i < prefix ? prefix - 1 : i;
            slot++;
            if (next < sites.length && sites[next] == i) {
                realIndex[slot] = -1;
                positionId[slot] = i + shift - 1;
                targetIndex[slot] = i + shift;
                horizon[slot] = i;
                slot++;
                next++;
            }
        }
        return new RegisterPlan(layout, offset, realIndex, positionId, targetIndex, horizon, sites);
    }
}

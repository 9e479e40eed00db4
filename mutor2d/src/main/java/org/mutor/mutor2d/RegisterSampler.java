package org.mutor.mutor2d;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Per-sample register drawing for training: each call to {@link #plan} draws one offset
 * uniformly and, in sparse mode, the register places, both from the caller's generator, so a
 * trainer that seeds the generator per step gets reproducible plans.
 *
 * @param mode where registers go
 * @param maxOffset {@code d_max} (1D) or {@code d_max_2D} (2D); ignored for {@link RegisterMode#NONE}
 * @param sparseRegisters {@code K} for sparse mode; ignored otherwise
 */
public record RegisterSampler(RegisterMode mode, int maxOffset, int sparseRegisters) {

    /** Validates the settings. */
    public RegisterSampler {
        Objects.requireNonNull(mode, "mode");
        if (mode != RegisterMode.NONE && maxOffset < 1) {
            throw new IllegalArgumentException("maximum offset " + maxOffset + " must be at least 1");
        }
        if (mode == RegisterMode.SPARSE && sparseRegisters < 1) {
            throw new IllegalArgumentException(
                    "sparse register count " + sparseRegisters + " must be at least 1");
        }
    }

    /** Returns the sampler of the next-token baseline, which draws nothing. */
    public static RegisterSampler none() {
        return new RegisterSampler(RegisterMode.NONE, 0, 0);
    }

    /** Draws an offset, then the placement, for one sample of {@code layout}. */
    public RegisterPlan plan(RegisterLayout layout, RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        return switch (mode) {
            case NONE -> RegisterPlanner.ntp(layout);
            case FULL -> RegisterPlanner.full(layout, layout.sampleOffset(maxOffset, random));
            case SPARSE -> RegisterPlanner.sparse(
                    layout, layout.sampleOffset(maxOffset, random), sparseRegisters, random);
        };
    }
}

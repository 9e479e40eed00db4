package org.mutor.mutor2d;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * 1D register offset {@code d}: the register that follows token {@code x_t} predicts {@code
 * x_{t+d}}. {@code d = 1} duplicates the next-token target, which the reference text code also
 * trains.
 *
 * @param d tokens ahead, at least 1
 */
public record LinearOffset(int d) implements RegisterOffset {

    /** Validates the offset. */
    public LinearOffset {
        if (d < 1) {
            throw new IllegalArgumentException("1D register offset d=" + d + " must be at least 1");
        }
    }

    /** Draws {@code d} uniformly from {@code 1..maxOffset}. */
    public static LinearOffset sample(int maxOffset, RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        if (maxOffset < 1) {
            throw new IllegalArgumentException(
                    "maximum 1D offset " + maxOffset + " must be at least 1");
        }
        return new LinearOffset(1 + random.nextInt(maxOffset));
    }

    /** Parses a CLI value such as {@code 2}. */
    public static LinearOffset parse(String text) {
        try {
            return new LinearOffset(Integer.parseInt(text.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "1D offset '" + text + "' is not an integer; write it as e.g. 2", e);
        }
    }

    @Override
    public String label() {
        return Integer.toString(d);
    }
}

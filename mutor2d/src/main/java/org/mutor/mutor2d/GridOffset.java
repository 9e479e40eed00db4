package org.mutor.mutor2d;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * 2D register offset {@code (d_h, d_w)}: the register placed before image token {@code x_s} at
 * cell {@code (row, col)} predicts the token at cell {@code (row + d_h - 1, col + d_w - 1)}.
 * {@code (1, 1)} is rejected because it is the next-token target itself.
 *
 * @param dh rows ahead plus one, at least 1
 * @param dw columns ahead plus one, at least 1
 */
public record GridOffset(int dh, int dw) implements RegisterOffset {

    /** Validates the offset. */
    public GridOffset {
        if (dh < 1 || dw < 1) {
            throw new IllegalArgumentException(
                    "2D register offset (" + dh + "," + dw + ") needs both parts at least 1");
        }
        if (dh == 1 && dw == 1) {
            throw new IllegalArgumentException(
                    "2D register offset (1,1) is the next-token target; use another pair");
        }
    }

    /**
     * Draws {@code (d_h, d_w)} uniformly from the {@code maxOffset^2 - 1} pairs in {@code
     * 1..maxOffset} squared other than {@code (1, 1)}, with one {@code nextInt} call.
     */
    public static GridOffset sample(int maxOffset, RandomGenerator random) {
        Objects.requireNonNull(random, "random");
        if (maxOffset < 2) {
            throw new IllegalArgumentException("maximum 2D offset " + maxOffset
                    + " leaves only (1,1), which is excluded; use at least 2");
        }
        // Pair index 0 is (1, 1), so draw from 1 .. maxOffset^2 - 1.
        int index = 1 + random.nextInt(maxOffset * maxOffset - 1);
        return new GridOffset(1 + index / maxOffset, 1 + index % maxOffset);
    }

    /** Parses a CLI value such as {@code 2,3} (rows first). */
    public static GridOffset parse(String text) {
        String[] parts = text.split(",");
        if (parts.length != 2) {
            throw new IllegalArgumentException(
                    "2D offset '" + text + "' must be two integers d_h,d_w such as 2,3");
        }
        try {
            return new GridOffset(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "2D offset '" + text + "' must be two integers d_h,d_w such as 2,3", e);
        }
    }

    @Override
    public String label() {
        return dh + "," + dw;
    }
}

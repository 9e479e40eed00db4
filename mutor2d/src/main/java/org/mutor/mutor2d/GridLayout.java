package org.mutor.mutor2d;

import java.util.random.RandomGenerator;

/**
 * 2D layout of a class-conditional image: class token {@code x_0}, then the {@code N = H * W}
 * image tokens {@code x_1 .. x_N} in raster order, with {@code x_s} at cell {@code (row, col) =
 * divmod(s - 1, W)}. Position ids index LlamaGen's 2D rotary table, where the class token is
 * index 0.
 *
 * <p>The register placed before {@code x_s} follows real token {@code t = s - 1} and predicts
 * {@code x_u} with {@code u = s + (d_h - 1) W + (d_w - 1)}, so the flat shift is {@code D = (d_h -
 * 1) W + d_w}. It is valid only when {@code col(s) + d_w - 1 < W} (no wrap past the right border)
 * and {@code u <= N}.
 *
 * @param height grid rows {@code H}, at least 1
 * @param width grid columns {@code W}, at least 1
 */
public record GridLayout(int height, int width) implements RegisterLayout {

    /** Validates the grid size. */
    public GridLayout {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException(
                    "grid " + height + "x" + width + " needs at least one row and one column");
        }
    }

    /** Parses a CLI value such as {@code 4x4} (rows first). */
    public static GridLayout parse(String text) {
        String[] parts = text.toLowerCase(java.util.Locale.ROOT).split("x");
        if (parts.length != 2) {
            throw new IllegalArgumentException(
                    "grid '" + text + "' must be HxW with two integers such as 4x4");
        }
        try {
            return new GridLayout(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "grid '" + text + "' must be HxW with two integers such as 4x4", e);
        }
    }

    /** Number {@code N = H * W} of image tokens. */
    public int imageTokens() {
        return height * width;
    }

    @Override
    public int prefixLength() {
        return 1;
    }

    @Override
    public int sequenceLength() {
        return imageTokens() + 1;
    }

    @Override
    public boolean bidirectionalPrompt() {
        return false;
    }

    @Override
    public int shift(RegisterOffset offset) {
        GridOffset grid = gridOffset(offset);
        return (grid.dh() - 1) * width + grid.dw();
    }

    @Override
    public int[] registerSites(RegisterOffset offset) {
        GridOffset grid = gridOffset(offset);
        int n = imageTokens();
        int shift = shift(grid);
        int[] sites = new int[n];
        int count = 0;
        for (int s = 1; s <= n; s++) {
            int col = (s - 1) % width;
            int u = s + shift - 1;
            if (col + grid.dw() - 1 < width && u <= n) {
                sites[count++] = s - 1;
            }
        }
        return java.util.Arrays.copyOf(sites, count);
    }

    @Override
    public RegisterOffset sampleOffset(int maxOffset, RandomGenerator random) {
        return GridOffset.sample(maxOffset, random);
    }

    @Override
    public String tokenName(int index) {
        if (index == 0) {
            return "cls";
        }
        int cell = index - 1;
        return "x" + index + "(" + cell / width + "," + cell % width + ")";
    }

    private static GridOffset gridOffset(RegisterOffset offset) {
        if (offset instanceof GridOffset grid) {
            return grid;
        }
        throw new IllegalArgumentException("offset " + offset.label()
                + " is 1D but the grid layout needs a 2D offset d_h,d_w");
    }
}

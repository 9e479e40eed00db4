package org.mutor.generator.gpt;

/**
 * LlamaGen's 2D rotary table. With head dim D there are D/4 frequencies
 * f_i = 1 / base^(2i / (D/2)); for grid cell (row, col) the first D/4 rotated pairs
 * use angle row * f_i and the last D/4 pairs angle col * f_i. Index 0 is the class
 * token, whose rows are all zero (cos = sin = 0), so the class token's query and key
 * vanish after rotation: the official checkpoints were trained that way. Image token
 * p >= 1 sits at (row, col) = divmod(p - 1, grid).
 */
public final class Rope2d {

    private Rope2d() {
    }

    /**
     * Builds the table as [positions, D/2, 2] values (cos, sin) flattened row-major,
     * with {@code clsTokenNum} leading zero rows and grid * grid image rows, in float32.
     */
    public static float[] table(int grid, int headDim, double base, int clsTokenNum) {
        int half = headDim / 2;   // rotated pairs per head
        int quarter = headDim / 4; // frequencies per axis
        float[] freqs = new float[quarter];
        for (int i = 0; i < quarter; i++) {
            // Computed in float32, as torch does: base ** (arange(0, half, 2) / half).
            float exponent = (float) (2 * i) / (float) half;
            freqs[i] = 1.0f / (float) Math.pow((float) base, exponent);
        }
        int positions = clsTokenNum + grid * grid;
        float[] table = new float[positions * half * 2];
        for (int row = 0; row < grid; row++) {
            for (int col = 0; col < grid; col++) {
                int base0 = ((clsTokenNum + row * grid + col) * half) * 2;
                for (int i = 0; i < quarter; i++) {
                    float rowAngle = (float) row * freqs[i];
                    float colAngle = (float) col * freqs[i];
                    table[base0 + 2 * i] = (float) Math.cos(rowAngle);
                    table[base0 + 2 * i + 1] = (float) Math.sin(rowAngle);
                    table[base0 + 2 * (quarter + i)] = (float) Math.cos(colAngle);
                    table[base0 + 2 * (quarter + i) + 1] = (float) Math.sin(colAngle);
                }
            }
        }
        return table;
    }
}

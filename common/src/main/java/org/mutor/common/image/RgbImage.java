package org.mutor.common.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * An 8-bit RGB image held on the host, pixels interleaved row by row (HWC layout:
 * byte {@code 3 * (y * width + x) + c} holds channel {@code c} of pixel (x, y)).
 *
 * <p>The pixel array is shared, not copied: callers that keep a reference must not
 * modify it afterwards. Equality compares pixels.
 *
 * <p>Conversion to the model's input range is {@code x / 127.5 - 1}, which maps 0 to -1
 * and 255 to 1. Conversion back follows the rule of the reference FID sampling
 * scripts: {@code clamp(127.5 * x + 128, 0, 255)}, then truncation toward zero. The
 * offset 128 (not 127.5) makes the truncation round to nearest, so every byte value
 * survives the round trip exactly.
 *
 * @param width columns, positive
 * @param height rows, positive
 * @param rgb {@code 3 * width * height} bytes, HWC
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("invalid image size " + width + "x" + height
                    + "; width and height must be positive");
        }
        Objects.requireNonNull(rgb, "rgb");
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("image " + width + "x" + height + " needs "
                    + (long) width * height * 3 + " RGB bytes but got " + rgb.length);
        }
    }

    /** A black image. */
    public static RgbImage black(int width, int height) {
        return new RgbImage(width, height, new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)]);
    }

    /** Repeats an 8-bit grayscale raster (row-major, {@code width * height} bytes) to three channels. */
    public static RgbImage fromGray(int width, int height, byte[] gray) {
        if ((long) width * height != gray.length) {
            throw new IllegalArgumentException("gray image " + width + "x" + height + " needs "
                    + (long) width * height + " bytes but got " + gray.length);
        }
        byte[] rgb = new byte[gray.length * 3];
        for (int i = 0; i < gray.length; i++) {
            rgb[3 * i] = gray[i];
            rgb[3 * i + 1] = gray[i];
            rgb[3 * i + 2] = gray[i];
        }
        return new RgbImage(width, height, rgb);
    }

    /** Channel {@code c} (0 red, 1 green, 2 blue) of pixel (x, y), 0..255. */
    public int sample(int x, int y, int c) {
        return rgb[3 * (y * width + x) + c] & 0xFF;
    }

    /** Pixels as float CHW, {@code [3, height, width]} flattened, scaled by {@code x / 127.5 - 1} to [-1, 1]. */
    public float[] toChw() {
        int plane = width * height;
        float[] chw = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                chw[c * plane + i] = toUnitRange(rgb[3 * i + c] & 0xFF);
            }
        }
        return chw;
    }

    /**
     * Builds an image from float CHW values in [-1, 1] ({@code [3, height, width]}
     * flattened, starting at {@code offset}), with the reference rule
     * {@code clamp(127.5 * x + 128, 0, 255)} truncated toward zero. NaN becomes 0.
     */
    public static RgbImage fromChw(float[] chw, int offset, int width, int height) {
        int plane = width * height;
        if (offset < 0 || (long) offset + 3L * plane > chw.length) {
            throw new IllegalArgumentException("CHW array of " + chw.length + " floats has no [3, " + height
                    + ", " + width + "] image at offset " + offset);
        }
        byte[] rgb = new byte[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                rgb[3 * i + c] = (byte) toByte(chw[offset + c * plane + i]);
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /** Scales a byte value 0..255 to [-1, 1] by {@code v / 127.5 - 1}. */
    public static float toUnitRange(int value) {
        return value / 127.5f - 1f;
    }

    /** Maps a value in [-1, 1] to 0..255 by {@code clamp(127.5 * x + 128, 0, 255)} truncated; NaN gives 0. */
    public static int toByte(float x) {
        float v = 127.5f * x + 128f;
        if (!(v > 0f)) {
            return 0; // Also catches NaN.
        }
        return v >= 255f ? 255 : (int) v;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RgbImage o && o.width == width && o.height == height && Arrays.equals(o.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}

package org.mutor.common.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RgbImageTest {

    @Test
    void everyByteValueSurvivesTheRoundTrip() {
        byte[] rgb = new byte[3 * 256];
        for (int v = 0; v < 256; v++) {
            rgb[3 * v] = (byte) v;
            rgb[3 * v + 1] = (byte) (255 - v);
            rgb[3 * v + 2] = (byte) (v * 7);
        }
        RgbImage image = new RgbImage(256, 1, rgb);
        assertEquals(image, RgbImage.fromChw(image.toChw(), 0, 256, 1));
    }

    @Test
    void scalingFollowsTheReferenceFormulas() {
        assertEquals(-1f, RgbImage.toUnitRange(0));
        assertEquals(1f, RgbImage.toUnitRange(255));
        assertEquals(0.003921628f, RgbImage.toUnitRange(128), 1e-7f);
        // clamp(127.5 * x + 128, 0, 255), truncated toward zero.
        assertEquals(128, RgbImage.toByte(0f));
        assertEquals(0, RgbImage.toByte(-1f));
        assertEquals(255, RgbImage.toByte(1f));
        assertEquals(255, RgbImage.toByte(0.9999f)); // 255.487..., clamped by truncation
        assertEquals(191, RgbImage.toByte(0.5f)); // 191.75
        assertEquals(64, RgbImage.toByte(-0.5f)); // 64.25
        assertEquals(0, RgbImage.toByte(-1.003f)); // 0.11...
        assertEquals(0, RgbImage.toByte(-7f));
        assertEquals(255, RgbImage.toByte(3f));
        assertEquals(0, RgbImage.toByte(Float.NaN));
        assertEquals(255, RgbImage.toByte(Float.POSITIVE_INFINITY));
    }

    @Test
    void chwLayoutIsChannelMajor() {
        // 2x1 image: pixel 0 = (0, 255, 51), pixel 1 = (255, 0, 102).
        RgbImage image = new RgbImage(2, 1, new byte[] {0, (byte) 255, 51, (byte) 255, 0, 102});
        float[] chw = image.toChw();
        assertArrayEquals(new float[] {-1f, 1f, 1f, -1f, 51 / 127.5f - 1f, 102 / 127.5f - 1f}, chw, 1e-6f);
        assertEquals(255, image.sample(0, 0, 1));
        assertEquals(102, image.sample(1, 0, 2));
    }

    @Test
    void fromChwReadsAtAnOffset() {
        float[] values = new float[2 + 3 * 4];
        java.util.Arrays.fill(values, 1f);
        values[2] = -1f;
        RgbImage image = RgbImage.fromChw(values, 2, 2, 2);
        assertEquals(0, image.sample(0, 0, 0));
        assertEquals(255, image.sample(1, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> RgbImage.fromChw(values, 3, 2, 2));
    }

    @Test
    void grayIsRepeatedToThreeChannels() {
        RgbImage image = RgbImage.fromGray(2, 1, new byte[] {7, (byte) 200});
        assertArrayEquals(new byte[] {7, 7, 7, (byte) 200, (byte) 200, (byte) 200}, image.rgb());
    }

    @Test
    void sizesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(2, 2, new byte[11]));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(0, 2, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> RgbImage.fromGray(2, 2, new byte[3]));
    }
}

package org.mutor.common.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.mutor.common.image.ImageDecoder.Backend;
import org.mutor.common.image.PillowResize.Filter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Pillow's resize and the ADM centre crop against outputs of Pillow itself, written by
 * tools/reference/make_resize_fixtures.py. Every comparison is exact.
 */
class PillowResizeTest {

    @ParameterizedTest
    @CsvSource({
        "landscape_517x389, BICUBIC, 200, 151",
        "landscape_517x389, BOX, 97, 83",
        "landscape_517x389, BICUBIC, 517, 100",
        "landscape_300x211, BOX, 150, 105",
        "portrait_45x61, BICUBIC, 101, 137",
        "portrait_45x61, BICUBIC, 30, 61"})
    void resizeMatchesPillow(String name, Filter filter, int width, int height) {
        RgbImage resized = PillowResize.resize(fixture(name + ".png"), width, height, filter);
        String expected = name + "." + filter.name().toLowerCase(java.util.Locale.ROOT) + "_" + width + "x" + height
                + ".png";
        assertSamePixels(fixture(expected), resized, expected);
    }

    @ParameterizedTest
    @CsvSource({
        "landscape_517x389, 64", "landscape_517x389, 32",
        "landscape_300x211, 64", "landscape_300x211, 32",
        "portrait_45x61, 64", "portrait_45x61, 32"})
    void admCropMatchesPillow(String name, int size) {
        RgbImage crop = CenterCrops.adm(fixture(name + ".png"), size);
        assertSamePixels(fixture(name + ".adm" + size + ".png"), crop, name + " at " + size);
    }

    @ParameterizedTest
    @CsvSource({"landscape_517x389", "landscape_300x211"})
    void extractionCropIsAdmAtSeventy(String name) {
        RgbImage crop = CenterCrops.admForExtraction(fixture(name + ".png"), 64);
        assertSamePixels(fixture(name + ".adm70.png"), crop, name);
    }

    @Test
    void sameSizeResizeIsACopy() {
        RgbImage image = TestImages.noise(9, 7, 1);
        RgbImage copy = PillowResize.resize(image, 9, 7, Filter.BICUBIC);
        assertEquals(image, copy);
        copy.rgb()[0]++;
        assertEquals(TestImages.noise(9, 7, 1), image);
    }

    @Test
    void invalidSizesAreRejected() {
        RgbImage image = TestImages.noise(9, 7, 1);
        assertThrows(IllegalArgumentException.class, () -> PillowResize.resize(image, 0, 7, Filter.BOX));
        assertThrows(IllegalArgumentException.class, () -> CenterCrops.adm(image, 0));
    }

    private static void assertSamePixels(RgbImage expected, RgbImage actual, String label) {
        assertEquals(expected.width(), actual.width(), label + " width");
        assertEquals(expected.height(), actual.height(), label + " height");
        int mismatches = 0;
        int maxDiff = 0;
        for (int i = 0; i < expected.rgb().length; i++) {
            int diff = Math.abs((expected.rgb()[i] & 0xFF) - (actual.rgb()[i] & 0xFF));
            mismatches += diff == 0 ? 0 : 1;
            maxDiff = Math.max(maxDiff, diff);
        }
        assertEquals(0, mismatches, label + ": samples differing from Pillow (max difference " + maxDiff + ")");
    }

    private static RgbImage fixture(String name) {
        try (InputStream in = PillowResizeTest.class.getResourceAsStream("/resize/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource resize/" + name
                        + "; run tools/reference/make_resize_fixtures.py");
            }
            return ImageDecoder.decode(in.readAllBytes(), name, Backend.IMAGEIO);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

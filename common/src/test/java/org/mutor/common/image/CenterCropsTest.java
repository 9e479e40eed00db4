package org.mutor.common.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import java.util.List;

/** Crop geometry: ten-crop order and offsets, flips and bounds. Pillow parity is in PillowResizeTest. */
class CenterCropsTest {

    /** Makes an image whose red channel is x and green channel is y, so every crop shows its origin. */
    private static RgbImage coordinates(int width, int height) {
        byte[] rgb = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                rgb[3 * (y * width + x)] = (byte) x;
                rgb[3 * (y * width + x) + 1] = (byte) y;
                rgb[3 * (y * width + x) + 2] = 7;
            }
        }
        return new RgbImage(width, height, rgb);
    }

    @Test
    void tenCropOrderAndOffsets() {
        // 71x69 with crops of 64: the centre offsets 7 / 2 and 5 / 2 round half to even, to 4 and 2.
        RgbImage image = coordinates(71, 69);
        List<RgbImage> crops = CenterCrops.tenCrop(image, 64);
        assertEquals(10, crops.size());
        int[][] origins = {{0, 0}, {7, 0}, {0, 5}, {7, 5}, {4, 2}};
        for (int i = 0; i < 5; i++) {
            RgbImage crop = crops.get(i);
            assertEquals(64, crop.width());
            assertEquals(64, crop.height());
            assertEquals(origins[i][0], crop.sample(0, 0, 0), "crop " + i + " x");
            assertEquals(origins[i][1], crop.sample(0, 0, 1), "crop " + i + " y");
            // Crops 5..9 are the same corners of the flipped image: their first column is
            // image column 70 - x for that corner's origin x.
            RgbImage mirrored = crops.get(5 + i);
            assertEquals(70 - origins[i][0], mirrored.sample(0, 0, 0), "crop " + (5 + i) + " x");
            assertEquals(origins[i][1], mirrored.sample(0, 0, 1), "crop " + (5 + i) + " y");
            assertEquals(70 - origins[i][0] - 63, mirrored.sample(63, 0, 0), "crop " + (5 + i) + " last x");
        }
    }

    @Test
    void tenCropOfExactSizeRepeatsTheImage() {
        RgbImage image = TestImages.noise(16, 16, 2);
        List<RgbImage> crops = CenterCrops.tenCrop(image, 16);
        for (int i = 0; i < 5; i++) {
            assertEquals(image, crops.get(i));
            assertEquals(CenterCrops.flipHorizontal(image), crops.get(5 + i));
        }
    }

    @Test
    void flipTwiceIsIdentity() {
        RgbImage image = TestImages.noise(5, 3, 3);
        assertEquals(image, CenterCrops.flipHorizontal(CenterCrops.flipHorizontal(image)));
        assertEquals(image.sample(4, 1, 2), CenterCrops.flipHorizontal(image).sample(0, 1, 2));
    }

    @Test
    void admCropOfSmallSquareIsExactSize() {
        RgbImage crop = CenterCrops.adm(TestImages.smooth(32, 32), 32);
        assertEquals(TestImages.smooth(32, 32), crop);
    }

    @Test
    void cropsOutsideTheImageAreRejected() {
        RgbImage image = TestImages.noise(10, 8, 4);
        assertThrows(IllegalArgumentException.class, () -> CenterCrops.crop(image, 5, 0, 6, 8));
        assertThrows(IllegalArgumentException.class, () -> CenterCrops.crop(image, 0, -1, 4, 4));
        assertThrows(IllegalArgumentException.class, () -> CenterCrops.crop(image, 0, 0, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> CenterCrops.tenCrop(image, 9));
        assertEquals(image, CenterCrops.crop(image, 0, 0, 10, 8));
    }
}

package org.mutor.common.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

class ImageFilesTest {

    @TempDir
    Path dir;

    @Test
    void pngRoundTripIsExact() throws IOException {
        RgbImage original = TestImages.noise(37, 23, 1);
        Path file = dir.resolve("sub/noise.PNG");
        ImageFiles.write(file, original);
        assertEquals(ImageDecoder.Format.PNG, ImageDecoder.detect(Files.readAllBytes(file)));
        assertEquals(original, ImageFiles.read(file));
        assertEquals(List.of(file.getFileName()), listNames(file.getParent()), "no temporary file left behind");
    }

    @Test
    void jpegQualityTradesSizeForError() throws IOException {
        RgbImage original = TestImages.smooth(64, 48);
        Path high = dir.resolve("high.jpg");
        Path low = dir.resolve("low.jpeg");
        ImageFiles.write(high, original);
        ImageFiles.writeJpeg(low, original, 0.2f);
        assertEquals(ImageDecoder.Format.JPEG, ImageDecoder.detect(Files.readAllBytes(high)));
        double highError = meanAbsError(original, ImageFiles.read(high));
        double lowError = meanAbsError(original, ImageFiles.read(low));
        assertTrue(highError < 1.5, "quality 0.95 error " + highError);
        assertTrue(lowError > highError, "quality 0.2 error " + lowError + " vs " + highError);
        assertTrue(Files.size(low) < Files.size(high));
    }

    @Test
    void unknownExtensionAndBadQualityAreRejected() {
        RgbImage image = TestImages.noise(2, 2, 2);
        assertThrows(IllegalArgumentException.class, () -> ImageFiles.write(dir.resolve("x.webp"), image));
        assertThrows(IllegalArgumentException.class, () -> ImageFiles.encodeJpeg(image, 1.5f));
        assertThrows(IllegalArgumentException.class, () -> ImageFiles.encodeJpeg(image, Float.NaN));
    }

    @Test
    void gridLayoutAndPadding() throws IOException {
        List<RgbImage> images = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            images.add(TestImages.noise(4, 3, 100 + i));
        }
        RgbImage grid = ImageGrid.compose(images, 3, 2);
        assertEquals(3 * (4 + 2) + 2, grid.width());
        assertEquals(2 * (3 + 2) + 2, grid.height());
        for (int n = 0; n < 5; n++) {
            int left = 2 + (n % 3) * 6;
            int top = 2 + (n / 3) * 5;
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    for (int c = 0; c < 3; c++) {
                        assertEquals(images.get(n).sample(x, y, c), grid.sample(left + x, top + y, c));
                    }
                }
            }
        }
        assertEquals(0, grid.sample(0, 0, 0));
        assertEquals(0, grid.sample(7, 4, 1)); // Between cells 0 and 1.
        assertEquals(0, grid.sample(2 + 2 * 6 + 1, 2 + 5 + 1, 2)); // Unfilled sixth cell.

        Path file = dir.resolve("grid.png");
        ImageGrid.write(file, images, 3, 2);
        assertEquals(grid, ImageFiles.read(file));
    }

    @Test
    void gridRejectsMixedSizesAndBadLayout() {
        List<RgbImage> mixed = List.of(TestImages.noise(4, 3, 1), TestImages.noise(3, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.compose(mixed, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.compose(List.of(), 2, 2));
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.compose(mixed.subList(0, 1), 0, 2));
    }

    private static double meanAbsError(RgbImage a, RgbImage b) {
        long sum = 0;
        for (int i = 0; i < a.rgb().length; i++) {
            sum += Math.abs((a.rgb()[i] & 0xFF) - (b.rgb()[i] & 0xFF));
        }
        return (double) sum / a.rgb().length;
    }

    private static List<Path> listNames(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(Path::getFileName).toList();
        }
    }
}

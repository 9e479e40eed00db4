package org.mutor.common.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mutor.common.format.FormatException;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * Decoding against Pillow's {@code convert('RGB')} output for fixtures written by
 * tools/reference/make_image_fixtures.py, plus the error paths.
 */
class ImageDecoderTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"gray.png", "rgba.png", "gray_alpha.png", "palette.png", "rgb16.png"})
    void pngMatchesPillowExactly(String name) throws IOException {
        RgbImage image = ImageDecoder.decode(TestImages.resource(name), name);
        assertEquals(16, image.width());
        assertEquals(12, image.height());
        assertArrayEquals(TestImages.resource(name + ".rgb"), image.rgb(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb.jpg", "gray.jpg"})
    void jpegMatchesPillowWithinDecoderRounding(String name) throws IOException {
        RgbImage image = ImageDecoder.decode(TestImages.resource(name), name);
        byte[] expected = TestImages.resource(name + ".rgb");
        int maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((expected[i] & 0xFF) - (image.rgb()[i] & 0xFF)));
        }
        // Measured 0 with JDK 17; ImageIO and libjpeg-turbo may differ by rounding elsewhere.
        assertTrue(maxDiff <= 1, name + ": max difference to Pillow " + maxDiff);
    }

    @Test
    void alphaIsDroppedWithoutCompositing() throws IOException {
        // Pixel (0, 0) of rgba.png is fully transparent; its colour is kept as stored.
        RgbImage image = ImageDecoder.decode(TestImages.resource("rgba.png"), "rgba.png");
        assertEquals(5, image.sample(0, 0, 0));
        assertEquals(3, image.sample(0, 0, 1));
        assertEquals(100, image.sample(0, 0, 2));
    }

    @Test
    void sixteenBitRgbKeepsTheHighByte() throws IOException {
        // The fixture stores 256 * v + 0x3A for each 8-bit value v of the gradient.
        RgbImage image = ImageDecoder.decode(TestImages.resource("rgb16.png"), "rgb16.png");
        assertEquals((15 * 16 + 5) % 256, image.sample(15, 0, 0));
        assertEquals((11 * 21 + 3) % 256, image.sample(0, 11, 1));
    }

    @Test
    void sixteenBitGrayKeepsTheHighByte() throws IOException {
        BufferedImage gray16 = new BufferedImage(3, 2, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = gray16.getRaster();
        int[] samples = {0x0000, 0x00FF, 0x0100, 0x7FFF, 0xFF00, 0xFFFF};
        raster.setSamples(0, 0, 3, 2, 0, samples);
        Path file = dir.resolve("gray16.png");
        assertTrue(ImageIO.write(gray16, "png", file.toFile()));
        RgbImage image = ImageFiles.read(file);
        int[] expected = {0x00, 0x00, 0x01, 0x7F, 0xFF, 0xFF};
        for (int i = 0; i < expected.length; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[i], image.sample(i % 3, i / 3, c), "pixel " + i + " channel " + c);
            }
        }
    }

    @Test
    void pngNamedJpegIsDetectedByMagicBytes() throws IOException {
        RgbImage original = TestImages.noise(7, 5, 11);
        Path file = dir.resolve("n01440764_1.JPEG");
        Files.write(file, ImageFiles.encodePng(original));
        assertEquals(ImageDecoder.Format.PNG, ImageDecoder.detect(Files.readAllBytes(file)));
        assertEquals(original, ImageFiles.read(file));
    }

    @Test
    void cmykJpegIsRejectedWithATypedException() throws IOException {
        Path file = dir.resolve("cmyk.jpg");
        Files.write(file, TestImages.resource("cmyk.jpg"));
        UnsupportedImageException e = assertThrows(UnsupportedImageException.class, () -> ImageFiles.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("CMYK"), e.getMessage());
        assertTrue(e.getMessage().contains("OpenCV"), e.getMessage());
        assertEquals(file.toString(), e.source());
    }

    @Test
    void truncatedPngIsAFormatException() throws IOException {
        byte[] png = ImageFiles.encodePng(TestImages.noise(32, 32, 3));
        assertCorrupt("cut.png", Arrays.copyOf(png, png.length / 2));
    }

    @Test
    void truncatedJpegIsAFormatException() throws IOException {
        byte[] jpeg = ImageFiles.encodeJpeg(TestImages.noise(64, 64, 4), 0.9f);
        assertCorrupt("cut.jpg", Arrays.copyOf(jpeg, jpeg.length / 2));
    }

    @Test
    void jpegCutInsideItsHeadersIsAFormatException() throws IOException {
        byte[] jpeg = ImageFiles.encodeJpeg(TestImages.noise(8, 8, 5), 0.9f);
        assertCorrupt("header.jpg", Arrays.copyOf(jpeg, 30));
    }

    @Test
    void emptyAndUnrecognisedFilesAreFormatExceptions() throws IOException {
        assertCorrupt("empty.png", new byte[0]);
        assertCorrupt("text.jpg", "not an image at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void corruptPngDataIsAFormatException() throws IOException {
        byte[] png = ImageFiles.encodePng(TestImages.noise(16, 16, 6));
        for (int i = 60; i < png.length - 20; i++) {
            png[i] ^= 0x5A;
        }
        assertCorrupt("flipped.png", png);
    }

    private void assertCorrupt(String name, byte[] data) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, data);
        FormatException e = assertThrows(FormatException.class, () -> ImageFiles.read(file));
        assertFalse(e instanceof UnsupportedImageException, e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}

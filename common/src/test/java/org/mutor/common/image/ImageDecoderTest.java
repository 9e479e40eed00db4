package org.mutor.common.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.mutor.common.image.ImageDecoder.Backend;
import org.mutor.common.format.FormatException;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * Decoding with both back ends against Pillow's {@code convert('RGB')} output for fixtures
 * written by tools/reference/make_image_fixtures.py, plus the error paths.
 */
class ImageDecoderTest {

    private static final int CMYK_TOLERANCE = 1;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"gray.png, OPENCV", "rgba.png, OPENCV", "gray_alpha.png, OPENCV", "palette.png, OPENCV",
        "rgb16.png, OPENCV", "gray.png, IMAGEIO", "rgba.png, IMAGEIO", "gray_alpha.png, IMAGEIO",
        "palette.png, IMAGEIO", "rgb16.png, IMAGEIO"})
    void pngMatchesPillowExactly(String name, Backend backend) throws IOException {
        RgbImage image = ImageDecoder.decode(TestImages.resource(name), name, backend);
        assertEquals(16, image.width());
        assertEquals(12, image.height());
        assertArrayEquals(TestImages.resource(name + ".rgb"), image.rgb(), name);
    }

    @ParameterizedTest
    @CsvSource({"rgb.jpg, OPENCV", "gray.jpg, OPENCV", "rgb.jpg, IMAGEIO", "gray.jpg, IMAGEIO"})
    void jpegMatchesPillowWithinDecoderRounding(String name, Backend backend) throws IOException {
        RgbImage image = ImageDecoder.decode(TestImages.resource(name), name, backend);
        // ImageIO measured 0 with JDK 17, and OpenCV and Pillow both use libjpeg-turbo.
        // Other IDCT implementations may differ by one level of rounding.
        int maxDiff = maxDifference(TestImages.resource(name + ".rgb"), image.rgb());
        assertTrue(maxDiff <= 1, name + ": max difference to Pillow " + maxDiff);
    }

    @Test
    void openCvIsTheDefaultBackend() {
        assertTrue(ImageDecoder.openCvAvailable());
        assertEquals(Backend.OPENCV, ImageDecoder.defaultBackend());
    }

    @Test
    void backendPropertySelectsBackend() {
        String before = System.getProperty(ImageDecoder.BACKEND_PROPERTY);
        try {
            System.setProperty(ImageDecoder.BACKEND_PROPERTY, "ImageIO");
            assertEquals(Backend.IMAGEIO, ImageDecoder.defaultBackend());
            System.setProperty(ImageDecoder.BACKEND_PROPERTY, "opencv");
            assertEquals(Backend.OPENCV, ImageDecoder.defaultBackend());
            System.setProperty(ImageDecoder.BACKEND_PROPERTY, "libjpeg");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ImageDecoder::defaultBackend);
            assertTrue(e.getMessage().contains("libjpeg"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(ImageDecoder.BACKEND_PROPERTY);
            } else {
                System.setProperty(ImageDecoder.BACKEND_PROPERTY, before);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void alphaIsDroppedWithoutCompositing(Backend backend) throws IOException {
        // Pixel (0, 0) of rgba.png is fully transparent; its colour is kept as stored.
        RgbImage image = ImageDecoder.decode(TestImages.resource("rgba.png"), "rgba.png", backend);
        assertEquals(5, image.sample(0, 0, 0));
        assertEquals(3, image.sample(0, 0, 1));
        assertEquals(100, image.sample(0, 0, 2));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sixteenBitRgbKeepsTheHighByte(Backend backend) throws IOException {
        // The fixture stores 256 * v + 0x3A for each 8-bit value v of the gradient.
        RgbImage image = ImageDecoder.decode(TestImages.resource("rgb16.png"), "rgb16.png", backend);
        assertEquals((15 * 16 + 5) % 256, image.sample(15, 0, 0));
        assertEquals((11 * 21 + 3) % 256, image.sample(0, 11, 1));
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sixteenBitGrayKeepsTheHighByte(Backend backend) throws IOException {
        BufferedImage gray16 = new BufferedImage(3, 2, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = gray16.getRaster();
        int[] samples = {0x0000, 0x00FF, 0x0100, 0x7FFF, 0xFF00, 0xFFFF};
        raster.setSamples(0, 0, 3, 2, 0, samples);
        Path file = dir.resolve("gray16.png");
        assertTrue(ImageIO.write(gray16, "png", file.toFile()));
        RgbImage image = ImageDecoder.decode(Files.readAllBytes(file), file.toString(), backend);
        int[] expected = {0x00, 0x00, 0x01, 0x7F, 0xFF, 0xFF};
        for (int i = 0; i < expected.length; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(expected[i], image.sample(i % 3, i / 3, c), "pixel " + i + " channel " + c);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void pngNamedJpegIsDetectedByMagicBytes(Backend backend) throws IOException {
        RgbImage original = TestImages.noise(7, 5, 11);
        byte[] png = ImageFiles.encodePng(original);
        assertEquals(ImageDecoder.Format.PNG, ImageDecoder.detect(png));
        assertEquals(original, ImageDecoder.decode(png, "n01440764_1.JPEG", backend));
    }

    @Test
    void openCvDecodesCmykJpeg() throws IOException {
        Path file = dir.resolve("cmyk.jpg");
        Files.write(file, TestImages.resource("cmyk.jpg"));
        RgbImage image = ImageFiles.read(file);
        assertEquals(16, image.width());
        assertEquals(12, image.height());
        // OpenCV and Pillow convert CMYK to RGB with different integer formulas, which
        // round differently: measured max difference 1.
        int maxDiff = maxDifference(TestImages.resource("cmyk.jpg.rgb"), image.rgb());
        assertTrue(maxDiff <= CMYK_TOLERANCE, "max difference to Pillow " + maxDiff);
    }

    @Test
    void imageIoRejectsCmykJpeg() throws IOException {
        Path file = dir.resolve("cmyk.jpg");
        Files.write(file, TestImages.resource("cmyk.jpg"));
        UnsupportedImageException e = assertThrows(UnsupportedImageException.class,
                () -> ImageDecoder.decode(Files.readAllBytes(file), file.toString(), Backend.IMAGEIO));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("CMYK"), e.getMessage());
        assertTrue(e.getMessage().contains("OpenCV"), e.getMessage());
        assertEquals(file.toString(), e.source());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void truncatedPngIsAFormatException(Backend backend) throws IOException {
        byte[] png = ImageFiles.encodePng(TestImages.noise(32, 32, 3));
        assertCorrupt("cut.png", Arrays.copyOf(png, png.length / 2), backend);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void truncatedJpegIsAFormatException(Backend backend) throws IOException {
        byte[] jpeg = ImageFiles.encodeJpeg(TestImages.noise(64, 64, 4), 0.9f);
        assertCorrupt("cut.jpg", Arrays.copyOf(jpeg, jpeg.length / 2), backend);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void jpegCutInsideItsHeadersIsAFormatException(Backend backend) throws IOException {
        byte[] jpeg = ImageFiles.encodeJpeg(TestImages.noise(8, 8, 5), 0.9f);
        assertCorrupt("header.jpg", Arrays.copyOf(jpeg, 30), backend);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void emptyAndUnrecognisedFilesAreFormatExceptions(Backend backend) throws IOException {
        assertCorrupt("empty.png", new byte[0], backend);
        assertCorrupt("text.jpg", "not an image at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII), backend);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void corruptPngDataIsAFormatException(Backend backend) throws IOException {
        byte[] png = ImageFiles.encodePng(TestImages.noise(16, 16, 6));
        for (int i = 60; i < png.length - 20; i++) {
            png[i] ^= 0x5A;
        }
        assertCorrupt("flipped.png", png, backend);
    }

    private void assertCorrupt(String name, byte[] data, Backend backend) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, data);
        FormatException e = assertThrows(FormatException.class,
                () -> ImageDecoder.decode(Files.readAllBytes(file), file.toString(), backend));
        assertFalse(e instanceof UnsupportedImageException, e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    private static int maxDifference(byte[] expected, byte[] actual) {
        assertEquals(expected.length, actual.length, "RGB byte count");
        int maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((expected[i] & 0xFF) - (actual[i] & 0xFF)));
        }
        return maxDiff;
    }
}

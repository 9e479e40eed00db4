package org.mutor.common.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mutor.common.format.FormatException;
import org.mutor.common.image.ImageDecoder.Backend;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** The OpenCV back end's end-of-image check, and its agreement with ImageIO on JPEG. */
class OpenCvDecoderTest {

    @Test
    void bytesAfterTheEndMarkerAreAccepted() throws IOException {
        RgbImage original = TestImages.smooth(40, 24);
        byte[] jpeg = ImageFiles.encodeJpeg(original, 0.9f);
        byte[] padded = Arrays.copyOf(jpeg, jpeg.length + 100);
        Arrays.fill(padded, jpeg.length, padded.length, (byte) 0xFF);
        RgbImage expected = ImageDecoder.decode(jpeg, "plain.jpg", Backend.OPENCV);
        assertEquals(expected, ImageDecoder.decode(padded, "padded.jpg", Backend.OPENCV));
    }

    @Test
    void jpegWithoutItsEndMarkerIsTruncated() {
        byte[] jpeg = ImageFiles.encodeJpeg(TestImages.noise(32, 32, 8), 0.9f);
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length - 2);
        FormatException e = assertThrows(FormatException.class,
                () -> ImageDecoder.decode(cut, "cut.jpg", Backend.OPENCV));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void progressiveJpegWithManyScansMatchesImageIo() throws IOException {
        byte[] jpeg = encodeProgressive(TestImages.noise(48, 40, 9));
        RgbImage fromOpenCv = ImageDecoder.decode(jpeg, "progressive.jpg", Backend.OPENCV);
        RgbImage fromImageIo = ImageDecoder.decode(jpeg, "progressive.jpg", Backend.IMAGEIO);
        int maxDiff = 0;
        for (int i = 0; i < fromOpenCv.rgb().length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((fromOpenCv.rgb()[i] & 0xFF) - (fromImageIo.rgb()[i] & 0xFF)));
        }
        // Both implement the same IDCT and upsampling; allow one level of rounding.
        assertTrue(maxDiff <= 1, "max difference OpenCV vs ImageIO " + maxDiff);
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length * 2 / 3);
        assertThrows(FormatException.class, () -> ImageDecoder.decode(cut, "cut.jpg", Backend.OPENCV));
    }

    private static byte[] encodeProgressive(RgbImage image) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream output = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(output);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(ImageFiles.toBufferedImage(image), null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}

package org.mutor.common.image;

import org.mutor.common.format.AtomicFiles;
import org.mutor.common.format.FormatException;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Reads image files to {@link RgbImage} and writes PNG or JPEG files atomically
 * (temporary file, then rename), choosing the format from the file extension.
 */
public final class ImageFiles {

    /**
     * JPEG quality used by {@link #write}: 0.95 on ImageIO's 0..1 scale. ImageIO's writer
     * subsamples chroma 4:2:0, as Pillow does by default.
     */
    public static final float DEFAULT_JPEG_QUALITY = 0.95f;

    private ImageFiles() {
    }

    /**
     * Reads and decodes an image file; see {@link ImageDecoder} for the conversion rules.
     *
     * @throws UnsupportedImageException for a CMYK JPEG when ImageIO is the back end
     * @throws FormatException for a corrupt, truncated or unrecognised file
     * @throws IOException when the file cannot be read
     */
    public static RgbImage read(Path file) throws IOException {
        return ImageDecoder.decode(Files.readAllBytes(file), file.toString());
    }

    /**
     * Writes PNG (lossless) for {@code .png}, or JPEG at {@link #DEFAULT_JPEG_QUALITY} for
     * {@code .jpg} and {@code .jpeg}, case-insensitively.
     *
     * @throws IllegalArgumentException for any other extension
     */
    public static void write(Path file, RgbImage image) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) {
            AtomicFiles.writeBytes(file, encodePng(image));
        } else if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            AtomicFiles.writeBytes(file, encodeJpeg(image, DEFAULT_JPEG_QUALITY));
        } else {
            throw new IllegalArgumentException("cannot choose an image format for '" + file
                    + "'; name the file .png or .jpg");
        }
    }

    /** Writes a JPEG file atomically at {@code quality} in [0, 1], whatever the extension. */
    public static void writeJpeg(Path file, RgbImage image, float quality) throws IOException {
        AtomicFiles.writeBytes(file, encodeJpeg(image, quality));
    }

    /** Encodes as an 8-bit RGB PNG. */
    public static byte[] encodePng(RgbImage image) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(toBufferedImage(image), "png", bytes)) {
                throw new IllegalStateException("this JDK has no ImageIO PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("PNG encoding to memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** Encodes as a baseline JPEG at {@code quality} in [0, 1] (higher is better). */
    public static byte[] encodeJpeg(RgbImage image, float quality) {
        if (!(quality >= 0f && quality <= 1f)) {
            throw new IllegalArgumentException("invalid JPEG quality " + quality + "; use a value in [0, 1]");
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream output = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(output);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(toBufferedImage(image), null, null), param);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG encoding to memory failed", e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** Wraps the pixels (shared, not copied) as an sRGB {@link BufferedImage}. */
    public static BufferedImage toBufferedImage(RgbImage image) {
        int w = image.width();
        int h = image.height();
        WritableRaster raster = Raster.createInterleavedRaster(new DataBufferByte(image.rgb(), image.rgb().length),
                w, h, 3 * w, 3, new int[] {0, 1, 2}, null);
        ComponentColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
                false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
        return new BufferedImage(model, raster, false, null);
    }
}

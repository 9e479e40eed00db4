package org.mutor.common.image;

import org.mutor.common.format.FormatException;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * The JDK's ImageIO back end of {@link ImageDecoder}: pure Java, no natives, but
 * slower than OpenCV on JPEG and unable to read CMYK or YCCK JPEGs.
 */
final class ImageIoDecoder {

    private ImageIoDecoder() {
    }

    /**
     * Decodes non-empty {@code data} whose format is {@code format}.
     *
     * @throws UnsupportedImageException for a CMYK or YCCK JPEG
     * @throws FormatException for corrupt, truncated or unrecognised data
     */
    static RgbImage decode(byte[] data, ImageDecoder.Format format, String source) throws FormatException {
        if (format == ImageDecoder.Format.JPEG) {
            int components = JpegHeader.componentCount(data, source);
            if (components == 4) {
                throw new UnsupportedImageException(source, "image " + source + " is a CMYK (4-component) JPEG, "
                        + "which ImageIO cannot read; convert it to RGB or decode it with the OpenCV decoder");
            }
        }
        return toRgb(read(data, format, source), source);
    }

    private static BufferedImage read(byte[] data, ImageDecoder.Format format, String source) throws FormatException {
        List<String> warnings = new ArrayList<>();
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            ImageReader reader = readerFor(format, input, source);
            try {
                reader.setInput(input, true, true);
                reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
                BufferedImage image = reader.read(0);
                for (String warning : warnings) {
                    if (warning.toLowerCase(java.util.Locale.ROOT).contains("premature end")) {
                        throw new FormatException("image " + source + " is truncated (" + warning
                                + "); re-copy or remove the file");
                    }
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (FormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data as IIOException, and sometimes as a runtime exception.
            throw new FormatException("image " + source + " is corrupt or truncated (" + e
                    + "); re-copy or remove the file", e);
        }
    }

    private static ImageReader readerFor(ImageDecoder.Format format, ImageInputStream input, String source)
            throws IOException {
        Iterator<ImageReader> readers = switch (format) {
            case PNG -> ImageIO.getImageReadersByFormatName("png");
            case JPEG -> ImageIO.getImageReadersByFormatName("jpeg");
            case OTHER -> ImageIO.getImageReaders(input);
        };
        if (!readers.hasNext()) {
            throw new FormatException("file " + source + " is not an image format ImageIO reads "
                    + "(expected PNG, JPEG, BMP or GIF); remove it from the dataset");
        }
        return readers.next();
    }

    /** Copies the stored colour samples of {@code image} to RGB bytes, dropping alpha. */
    static RgbImage toRgb(BufferedImage image, String source) throws UnsupportedImageException {
        int width = image.getWidth();
        int height = image.getHeight();
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)];
        int[] row = new int[width];

        if (model instanceof IndexColorModel palette) {
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, 0, row);
                for (int x = 0; x < width; x++) {
                    int i = 3 * (y * width + x);
                    rgb[i] = (byte) palette.getRed(row[x]);
                    rgb[i + 1] = (byte) palette.getGreen(row[x]);
                    rgb[i + 2] = (byte) palette.getBlue(row[x]);
                }
            }
            return new RgbImage(width, height, rgb);
        }

        int spaceType = model.getColorSpace().getType();
        int colours = model.getNumColorComponents();
        boolean gray = spaceType == ColorSpace.TYPE_GRAY && colours == 1;
        boolean rgbSpace = spaceType == ColorSpace.TYPE_RGB && colours == 3;
        if (!gray && !rgbSpace) {
            throw new UnsupportedImageException(source, "image " + source + " uses a colour space with "
                    + colours + " components (type " + spaceType + ") that is neither RGB nor grayscale; "
                    + "convert it to RGB first");
        }

        for (int c = 0; c < 3; c++) {
            int band = gray ? 0 : c;
            int bits = raster.getSampleModel().getSampleSize(band);
            for (int y = 0; y < height; y++) {
                raster.getSamples(0, y, width, 1, band, row);
                for (int x = 0; x < width; x++) {
                    rgb[3 * (y * width + x) + c] = (byte) to8Bit(row[x], bits);
                }
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /** Keeps the high byte of wider samples and stretches narrower ones to 0..255. */
    private static int to8Bit(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >>> (bits - 8);
        }
        return sample * 255 / ((1 << bits) - 1);
    }
}

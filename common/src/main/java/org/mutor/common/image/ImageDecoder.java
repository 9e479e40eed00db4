package org.mutor.common.image;

import org.mutor.common.format.FormatException;

import java.util.Locale;

/**
 * Decodes PNG and JPEG bytes (and other formats the chosen back end reads, such as BMP)
 * to {@link RgbImage}, matching what Pillow's {@code convert('RGB')} gives for the images
 * found in ImageNet-style datasets.
 *
 * <p>Two back ends exist. {@link Backend#OPENCV} (OpenCV's imgcodecs with libjpeg-turbo,
 * loaded through JavaCPP) is the default: it decoded large JPEG photos 1.5 times as fast
 * as ImageIO on 2 cores (docs/BENCHMARKS.md), and it reads CMYK JPEGs. {@link Backend#IMAGEIO} (the JDK's ImageIO) is used when the OpenCV natives
 * cannot load, or when the system property {@value #BACKEND_PROPERTY} is {@code imageio}.
 *
 * <p>Rules common to both:
 * <ul>
 *   <li>The format is detected from the leading bytes, never from the file name, so a PNG
 *       named {@code .JPEG} decodes as PNG.</li>
 *   <li>Grayscale is repeated to three channels; palette images are looked up.</li>
 *   <li>Alpha is dropped without compositing, as Pillow's {@code convert('RGB')} does:
 *       colour samples are kept as stored, whatever the alpha.</li>
 *   <li>16-bit samples keep their high byte ({@code v >> 8}). Pillow does the same for
 *       16-bit RGB PNGs, but clips 16-bit grayscale to 255 instead; such files are rare
 *       in photo datasets, and the high byte keeps the image visible.</li>
 *   <li>Embedded colour profiles, gamma and EXIF orientation are ignored (stored samples
 *       are used, as stored), as Pillow's {@code open} and {@code convert} do.</li>
 *   <li>Corrupt or truncated data raises {@link FormatException} naming the source;
 *       a JPEG that ends before its end-of-image marker counts as truncated (Pillow raises
 *       there too).</li>
 * </ul>
 * Differences: OpenCV converts CMYK and YCCK JPEGs to RGB (within a few levels of Pillow);
 * ImageIO rejects them with {@link UnsupportedImageException}. Baseline JPEG pixels of the
 * two back ends may differ by one level of IDCT rounding.
 */
public final class ImageDecoder {

    /** System property that picks the back end: {@code opencv} or {@code imageio}. */
    public static final String BACKEND_PROPERTY = "mutor.image.decoder";

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** Container formats recognised from leading bytes. */
    public enum Format { PNG, JPEG, OTHER }

    /** Decoding libraries. */
    public enum Backend {
        /** OpenCV imgcodecs through JavaCPP natives (linux-x86_64). */
        OPENCV,
        /** The JDK's ImageIO, pure Java. */
        IMAGEIO
    }

    private ImageDecoder() {
    }

    /** Detects the format from the leading bytes of {@code data}. */
    public static Format detect(byte[] data) {
        if (startsWith(data, PNG_MAGIC)) {
            return Format.PNG;
        }
        if (data.length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF) {
            return Format.JPEG;
        }
        return Format.OTHER;
    }

    /**
     * The back end that {@link #decode(byte[], String)} uses: the one named by
     * {@value #BACKEND_PROPERTY}, else OpenCV when its natives load, else ImageIO.
     *
     * @throws IllegalArgumentException when the property names no back end
     * @throws IllegalStateException when the property requests OpenCV but its natives cannot load
     */
    public static Backend defaultBackend() {
        String chosen = System.getProperty(BACKEND_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        switch (chosen) {
            case "":
                return OpenCvDecoder.available() ? Backend.OPENCV : Backend.IMAGEIO;
            case "imageio":
                return Backend.IMAGEIO;
            case "opencv":
                if (!OpenCvDecoder.available()) {
                    throw new IllegalStateException("-D" + BACKEND_PROPERTY + "=opencv but the OpenCV natives "
                            + "cannot load (" + OpenCvDecoder.loadFailure() + "); use -D" + BACKEND_PROPERTY
                            + "=imageio or run on linux-x86_64");
                }
                return Backend.OPENCV;
            default:
                throw new IllegalArgumentException("invalid -D" + BACKEND_PROPERTY + "=" + chosen
                        + "; use opencv or imageio");
        }
    }

    /** Returns whether the OpenCV back end can be used in this JVM (its natives loaded). */
    public static boolean openCvAvailable() {
        return OpenCvDecoder.available();
    }

    /**
     * Decodes an encoded image with the {@linkplain #defaultBackend() default back end}.
     *
     * @param source file or archive entry name, used in error messages
     * @throws UnsupportedImageException for a readable image that the back end cannot convert
     *         (CMYK JPEG under ImageIO)
     * @throws FormatException for an empty, corrupt, truncated or unrecognised file
     */
    public static RgbImage decode(byte[] data, String source) throws FormatException {
        return decode(data, source, defaultBackend());
    }

    /**
     * Decodes an encoded image with the given back end.
     *
     * @throws IllegalStateException when {@code backend} is OpenCV and its natives cannot load
     * @see #decode(byte[], String)
     */
    public static RgbImage decode(byte[] data, String source, Backend backend) throws FormatException {
        if (data.length == 0) {
            throw new FormatException("image " + source + " is empty; re-copy or remove the file");
        }
        Format format = detect(data);
        return switch (backend) {
            case OPENCV -> OpenCvDecoder.decode(data, format, source);
            case IMAGEIO -> ImageIoDecoder.decode(data, format, source);
        };
    }

    private static boolean startsWith(byte[] data, byte[] prefix) {
        if (data.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}

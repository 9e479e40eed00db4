package org.mutor.common.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mutor.common.format.FormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenCV back end of {@link ImageDecoder}: {@code cv::imdecode} through JavaCPP.
 *
 * <p>Flags: {@code IMREAD_COLOR_RGB} gives 8-bit RGB whatever the source (gray repeated,
 * alpha stripped without compositing, palette expanded, 16-bit reduced to the high byte,
 * CMYK and YCCK JPEGs converted), and {@code IMREAD_IGNORE_ORIENTATION} keeps the stored
 * pixel order: Pillow does not apply EXIF orientation on {@code open} either.
 *
 * <p>OpenCV decodes a JPEG cut short by filling the missing rows, so JPEG data is checked
 * for its end-of-image marker first. The natives are extracted by JavaCPP from the jars on
 * the class path into its cache folder (by default {@code ~/.javacpp/cache}); nothing is
 * downloaded and no display is needed.
 */
final class OpenCvDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(OpenCvDecoder.class);

    private OpenCvDecoder() {
    }

    /** Loads the natives once, on first use; remembers why when they cannot load. */
    private static final class Natives {
        static final String FAILURE = load();

        private static String load() {
            try {
                // Class initialisation of the preset extracts and links opencv_imgcodecs,
                // opencv_imgproc, opencv_core and OpenBLAS.
                Class.forName(opencv_imgcodecs.class.getName(), true, OpenCvDecoder.class.getClassLoader());
                return null;
            } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                String reason = e.toString();
                LOG.warn("OpenCV natives cannot load ({}); decoding images with ImageIO, which is slower "
                        + "and rejects CMYK JPEGs", reason);
                return reason;
            }
        }
    }

    /** Returns whether the natives loaded. */
    static boolean available() {
        return Natives.FAILURE == null;
    }

    /** Returns why the natives did not load, or null when they did. */
    static String loadFailure() {
        return Natives.FAILURE;
    }

    /**
     * Decodes non-empty {@code data} whose format is {@code format}; a format that OpenCV does
     * not read (such as GIF) is passed on to ImageIO.
     *
     * @throws IllegalStateException when the natives cannot load
     * @throws FormatException for corrupt, truncated or unrecognised data
     */
    static RgbImage decode(byte[] data, ImageDecoder.Format format, String source) throws FormatException {
        if (!available()) {
            throw new IllegalStateException("the OpenCV image decoder is not available (" + loadFailure()
                    + "); decode with ImageDecoder.Backend.IMAGEIO");
        }
        if (format == ImageDecoder.Format.JPEG) {
            JpegHeader.requireEndMarker(data, source);
        }
        RgbImage image = imdecode(data, source);
        if (image != null) {
            return image;
        }
        if (format == ImageDecoder.Format.OTHER) {
            return ImageIoDecoder.decode(data, format, source);
        }
        throw new FormatException("image " + source + " is a corrupt or truncated " + format
                + " that OpenCV cannot decode; re-copy or remove the file");
    }

    /** Returns the decoded pixels, or null when OpenCV reports no image. */
    private static RgbImage imdecode(byte[] data, String source) throws FormatException {
        int flags = opencv_imgcodecs.IMREAD_COLOR_RGB | opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
        try (BytePointer bytes = new BytePointer(data);
             Mat encoded = new Mat(1, data.length, CV_8UC1, bytes);
             Mat decoded = opencv_imgcodecs.imdecode(encoded, flags)) {
            if (decoded == null || decoded.empty()) {
                return null;
            }
            if (decoded.type() != CV_8UC3 || !decoded.isContinuous()) {
                throw new IllegalStateException("OpenCV decoded " + source + " to Mat type " + decoded.type()
                        + " (continuous " + decoded.isContinuous() + ") instead of 8-bit RGB");
            }
            // [rows, cols, 3] RGB, row-major and continuous: the RgbImage layout.
            byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(decoded.rows(), decoded.cols()), 3)];
            decoded.data().get(rgb);
            return new RgbImage(decoded.cols(), decoded.rows(), rgb);
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException) {
                throw e;
            }
            // JavaCPP turns a cv::Exception from the codec into a RuntimeException.
            throw new FormatException("image " + source + " is corrupt (" + e.getMessage()
                    + "); re-copy or remove the file", e);
        }
    }
}

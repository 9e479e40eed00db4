package org.mutor.common.data;

import org.mutor.common.format.FormatException;
import org.mutor.common.image.ImageDecoder;
import org.mutor.common.image.RgbImage;
import org.slf4j.Logger;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/** Rules shared by the folder and archive datasets: which names are images, and skipping bad ones. */
final class ImageEntries {

    /** Extensions that torchvision's {@code ImageFolder} accepts, compared case-insensitively. */
    static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif",
            ".tiff", ".webp");

    private ImageEntries() {
    }

    /** Tells whether a file name has an image extension. */
    static boolean isImageName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (String extension : EXTENSIONS) {
            if (lower.endsWith(extension)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decodes {@code data}, or logs a warning naming {@code source}, counts the skip and
     * returns empty when the image is corrupt or unsupported.
     */
    static Optional<LabeledImage> decodeOrSkip(byte[] data, String source, int label, Logger log,
            AtomicLong skipped) {
        try {
            RgbImage image = ImageDecoder.decode(data, source);
            return Optional.of(new LabeledImage(image, label, source));
        } catch (FormatException e) {
            skip(log, skipped, e.getMessage());
            return Optional.empty();
        }
    }

    /** Counts a skipped image and logs one warning line; {@code reason} names the file or entry. */
    static void skip(Logger log, AtomicLong skipped, String reason) {
        long count = skipped.incrementAndGet();
        log.warn("skipped image ({} so far): {}", count, reason);
    }
}

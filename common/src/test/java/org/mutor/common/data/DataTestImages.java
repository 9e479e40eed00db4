package org.mutor.common.data;

import org.mutor.common.image.RgbImage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Random;

/** Deterministic pixels and fixture access for the dataset tests. */
final class DataTestImages {

    private DataTestImages() {
    }

    static RgbImage noise(int width, int height, long seed) {
        byte[] rgb = new byte[3 * width * height];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(width, height, rgb);
    }

    /** Bytes of a file under the test resources folder {@code images/}. */
    static byte[] resource(String name) {
        try (InputStream in = DataTestImages.class.getResourceAsStream("/images/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource images/" + name
                        + "; run tools/reference/make_image_fixtures.py");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

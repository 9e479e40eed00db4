package org.mutor.common.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Random;

/** Deterministic pixels and fixture access shared by the image tests. */
final class TestImages {

    private TestImages() {
    }

    /** Makes uniformly random pixels, which are incompressible, so any lossy step shows. */
    static RgbImage noise(int width, int height, long seed) {
        byte[] rgb = new byte[3 * width * height];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(width, height, rgb);
    }

    /** Makes a smooth pattern that JPEG keeps close to the original. */
    static RgbImage smooth(int width, int height) {
        byte[] rgb = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = 3 * (y * width + x);
                rgb[i] = (byte) (x * 255 / Math.max(1, width - 1));
                rgb[i + 1] = (byte) (y * 255 / Math.max(1, height - 1));
                rgb[i + 2] = (byte) 90;
            }
        }
        return new RgbImage(width, height, rgb);
    }

    /** Bytes of a file under the test resources folder {@code images/}. */
    static byte[] resource(String name) {
        try (InputStream in = TestImages.class.getResourceAsStream("/images/" + name)) {
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

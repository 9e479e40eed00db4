package org.mutor.common.image;

import org.mutor.common.image.ImageDecoder.Backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures decode throughput of the ImageIO and OpenCV back ends on encoded files held in
 * memory: one warm-up round, then timed rounds. Every output byte feeds a checksum, so no
 * work can be skipped, and both back ends must agree on each image's size.
 *
 * <p>Usage: {@code ImageDecodeBench ROUNDS FILE...}; bench/image_decode_bench.sh runs it.
 * Lives under src/test so it stays out of the product jar.
 */
public final class ImageDecodeBench {

    private ImageDecodeBench() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: ImageDecodeBench ROUNDS FILE...");
        }
        int rounds = Integer.parseInt(args[0]);
        List<byte[]> files = new ArrayList<>();
        List<String> names = new ArrayList<>();
        long pixels = 0;
        for (int i = 1; i < args.length; i++) {
            byte[] data = Files.readAllBytes(Path.of(args[i]));
            files.add(data);
            names.add(args[i]);
            RgbImage image = ImageDecoder.decode(data, args[i], Backend.OPENCV);
            pixels += (long) image.width() * image.height();
        }
        System.out.printf(Locale.ROOT, "%d JPEG files, %.1f megapixels in all, %d timed rounds after 1 warm-up%n",
                files.size(), pixels / 1e6, rounds);

        double[] rates = new double[2];
        Backend[] backends = {Backend.IMAGEIO, Backend.OPENCV};
        for (int b = 0; b < backends.length; b++) {
            run(backends[b], files, names); // Warm-up: JIT, native extraction, codec tables.
            long start = System.nanoTime();
            long checksum = 0;
            for (int r = 0; r < rounds; r++) {
                checksum += run(backends[b], files, names);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            rates[b] = rounds * files.size() / seconds;
            System.out.printf(Locale.ROOT, "%-8s %7.2f images/s %8.1f megapixels/s  (%.2f s, checksum %d)%n",
                    backends[b], rates[b], rounds * pixels / 1e6 / seconds, seconds, checksum);
        }
        System.out.printf(Locale.ROOT, "OpenCV / ImageIO: %.2fx%n", rates[1] / rates[0]);
    }

    /** Decodes every file once and returns the sum of all output bytes. */
    private static long run(Backend backend, List<byte[]> files, List<String> names) throws IOException {
        long sum = 0;
        for (int i = 0; i < files.size(); i++) {
            byte[] rgb = ImageDecoder.decode(files.get(i), names.get(i), backend).rgb();
            for (byte v : rgb) {
                sum += v & 0xFF;
            }
        }
        return sum;
    }
}

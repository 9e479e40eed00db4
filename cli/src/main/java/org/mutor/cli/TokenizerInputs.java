package org.mutor.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.mutor.common.format.numpy.Npy;
import org.mutor.common.image.CenterCrops;
import org.mutor.common.image.ImageBatches;
import org.mutor.common.image.ImageFiles;
import org.mutor.common.image.ImageGrid;
import org.mutor.common.image.RgbImage;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Reading and writing the inputs and outputs of the tokenizer commands. */
final class TokenizerInputs {

    private static final Logger LOG = LoggerFactory.getLogger(TokenizerInputs.class);
    private static final List<String> IMAGE_EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".pgm",
            ".webp", ".tif", ".tiff");

    private TokenizerInputs() {
    }

    /** Images to encode: decoded and cropped images, or a float array [B, 3, H, W] in [-1, 1]. */
    static final class Images {
        private final List<RgbImage> images;
        private final float[] array;
        private final long[] shape;
        private final List<String> skipped;

        private Images(List<RgbImage> images, float[] array, long[] shape, List<String> skipped) {
            this.images = images;
            this.array = array;
            this.shape = shape;
            this.skipped = skipped;
        }

        int count() {
            return (int) shape[0];
        }

        long skipped() {
            return skipped.size();
        }

        List<String> skippedNames() {
            return skipped;
        }

        /** Rejects sizes the tokenizer cannot encode. */
        void checkFits(int factor) {
            if (shape[2] % factor != 0 || shape[3] % factor != 0) {
                throw new IllegalArgumentException("images are " + shape[3] + "x" + shape[2] + " but the tokenizer "
                        + "needs sides that are multiples of its downsampling factor " + factor);
            }
        }

        /** Images {@code from} to {@code to} as [b, 3, H, W]. */
        NDArray batch(NDManager manager, int from, int to) {
            if (images != null) {
                return ImageBatches.toBatch(manager, images.subList(from, to));
            }
            int plane = (int) (shape[1] * shape[2] * shape[3]);
            return manager.create(Arrays.copyOfRange(array, from * plane, to * plane),
                    new Shape(to - from, shape[1], shape[2], shape[3]));
        }
    }

    /**
     * Reads an image, a folder of images (sorted by name, unreadable ones skipped with a
     * warning), or a .npy float32 array [B, 3, H, W].
     */
    static Images read(Path in, int imageSize) throws IOException {
        if (imageSize < 1) {
            throw new IllegalArgumentException("--image-size must be positive, not " + imageSize);
        }
        if (!Files.exists(in)) {
            throw new NoSuchFileException(in.toString());
        }
        if (!Files.isDirectory(in) && in.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            HostTensor t = Npy.read(in);
            long[] s = t.shape();
            if (t.dtype() != DType.FLOAT32 || s.length != 4 || s[1] != 3 || s[0] < 1) {
                throw new IllegalArgumentException(in + ": invalid array " + t.dtype().shortName() + " "
                        + Arrays.toString(s) + "; expected float32 images [B, 3, H, W] in [-1, 1]");
            }
            return new Images(null, t.toFloatArray(), s, List.of());
        }
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(in)) {
            try (Stream<Path> list = Files.list(in)) {
                list.filter(p -> Files.isRegularFile(p) && isImage(p)).sorted().forEach(files::add);
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException(in + ": no images found (" + String.join(", ", IMAGE_EXTENSIONS)
                        + ")");
            }
        } else {
            files.add(in);
        }
        List<RgbImage> images = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path file : files) {
            RgbImage image;
            try {
                image = ImageFiles.read(file);
            } catch (IOException e) {
                if (files.size() == 1 && !Files.isDirectory(in)) {
                    throw e;
                }
                LOG.warn("skipping unreadable image {}: {}", file, e.getMessage());
                skipped.add(file.getFileName().toString());
                continue;
            }
            images.add(CenterCrops.adm(image, imageSize));
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException(in + ": none of its " + files.size() + " images could be read");
        }
        return new Images(images, null, new long[] {images.size(), 3, imageSize, imageSize}, skipped);
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return IMAGE_EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /** Reads integer codes [B, h, w], or [B, h*w] for a square grid, returned as [B, h, w]. */
    static HostTensor readCodes(Path in) throws IOException {
        HostTensor t = Npy.read(in);
        long[] s = t.shape();
        if (t.dtype().isFloatingPoint() || t.dtype() == DType.BOOL || (s.length != 2 && s.length != 3)
                || t.numel() == 0) {
            throw new IllegalArgumentException(in + ": invalid array " + t.dtype().shortName() + " " + Arrays.toString(s)
                    + "; expected integer codes [B, h, w] (or [B, h*w] for a square grid)");
        }
        if (s.length == 3) {
            return t;
        }
        long side = Math.round(Math.sqrt(s[1]));
        if (side * side != s[1]) {
            throw new IllegalArgumentException(in + ": rows of " + s[1] + " codes are not a square grid; write "
                    + "codes as [B, h, w]");
        }
        return HostTensor.ofLongs(new long[] {s[0], side, side}, t.toLongArray());
    }

    /**
     * Writes float images [B, 3, H, W] in [-1, 1] to a .npy file, a .png grid, or a folder
     * of PNGs; returns what was written.
     */
    static String writeImages(Path out, float[] values, long[] shape) throws IOException {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npy")) {
            Npy.write(out, HostTensor.ofFloats(shape, values));
            return out.toString();
        }
        int w = (int) shape[3];
        int h = (int) shape[2];
        List<RgbImage> images = new ArrayList<>();
        for (int b = 0; b < shape[0]; b++) {
            images.add(RgbImage.fromChw(values, b * 3 * w * h, w, h));
        }
        if (name.endsWith(".png")) {
            ImageGrid.write(out, images, (int) Math.min(8, shape[0]), ImageGrid.DEFAULT_PADDING);
            return out.toString();
        }
        Files.createDirectories(out);
        for (int i = 0; i < images.size(); i++) {
            ImageFiles.write(out.resolve(String.format("%05d.png", i)), images.get(i));
        }
        return out + "/ (" + images.size() + " PNGs)";
    }
}

package org.mutor.common.image;

import java.util.List;

/**
 * The square crops of the ADM (guided-diffusion) and LlamaGen data pipelines, with Pillow's
 * resampling, so that Java-prepared images and tokens match those of the reference code.
 */
public final class CenterCrops {

    /**
     * Crop range of LlamaGen's code extraction: the image is first centre-cropped to
     * {@code (int) (size * 1.1)}, then {@link #tenCrop ten-cropped} to {@code size}.
     */
    public static final double EXTRACTION_CROP_RANGE = 1.1;

    private CenterCrops() {
    }

    /**
     * Returns the ADM centre crop, {@code size x size} (guided-diffusion's {@code center_crop_arr}):
     * while the shorter side is at least {@code 2 * size}, halve both sides (floor) with
     * Pillow's box filter; then resize with Pillow's bicubic filter so that the shorter side
     * is {@code size} (the other side rounded half to even, as Python's {@code round}); then
     * take the centre crop, with offsets {@code (side - size) / 2} rounded down.
     *
     * @throws IllegalArgumentException when {@code size} is not positive
     */
    public static RgbImage adm(RgbImage image, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("invalid crop size " + size + "; use a positive size");
        }
        RgbImage current = image;
        while (Math.min(current.width(), current.height()) >= 2 * size) {
            current = PillowResize.resize(current, current.width() / 2, current.height() / 2, PillowResize.Filter.BOX);
        }
        double scale = (double) size / Math.min(current.width(), current.height());
        int width = (int) Math.rint(current.width() * scale);
        int height = (int) Math.rint(current.height() * scale);
        if (width != current.width() || height != current.height()) {
            current = PillowResize.resize(current, width, height, PillowResize.Filter.BICUBIC);
        }
        return crop(current, (width - size) / 2, (height - size) / 2, size, size);
    }

    /**
     * Returns the ADM centre crop at {@code (int) (size * 1.1)}, the larger square from which
     * LlamaGen's code extraction takes its ten crops of {@code size}.
     */
    public static RgbImage admForExtraction(RgbImage image, int size) {
        return adm(image, (int) (size * EXTRACTION_CROP_RANGE));
    }

    /**
     * Returns torchvision's {@code TenCrop(size)}, in its order: top-left, top-right,
     * bottom-left, bottom-right and centre crops of the image, then the same five crops of
     * the horizontally flipped image. The centre crop's offsets are
     * {@code round((side - size) / 2)}, half to even.
     *
     * @throws IllegalArgumentException when {@code size} is not positive or exceeds a side
     */
    public static List<RgbImage> tenCrop(RgbImage image, int size) {
        if (size <= 0 || size > image.width() || size > image.height()) {
            throw new IllegalArgumentException("invalid ten-crop size " + size + " for a " + image.width() + "x"
                    + image.height() + " image; use a positive size no larger than the shorter side");
        }
        RgbImage flipped = flipHorizontal(image);
        RgbImage[] crops = new RgbImage[10];
        for (int i = 0; i < 2; i++) {
            RgbImage source = i == 0 ? image : flipped;
            int right = source.width() - size;
            int bottom = source.height() - size;
            crops[5 * i] = crop(source, 0, 0, size, size);
            crops[5 * i + 1] = crop(source, right, 0, size, size);
            crops[5 * i + 2] = crop(source, 0, bottom, size, size);
            crops[5 * i + 3] = crop(source, right, bottom, size, size);
            crops[5 * i + 4] = crop(source, (int) Math.rint(right / 2.0), (int) Math.rint(bottom / 2.0), size, size);
        }
        return List.of(crops);
    }

    /**
     * Copies the {@code width x height} rectangle whose top-left pixel is (x, y).
     *
     * @throws IllegalArgumentException when the rectangle is empty or leaves the image
     */
    public static RgbImage crop(RgbImage image, int x, int y, int width, int height) {
        if (width <= 0 || height <= 0 || x < 0 || y < 0
                || x > image.width() - width || y > image.height() - height) {
            throw new IllegalArgumentException("invalid crop " + width + "x" + height + " at (" + x + ", " + y
                    + ") of a " + image.width() + "x" + image.height() + " image; keep the rectangle inside it");
        }
        byte[] rgb = new byte[3 * width * height];
        for (int row = 0; row < height; row++) {
            System.arraycopy(image.rgb(), 3 * ((y + row) * image.width() + x), rgb, 3 * row * width, 3 * width);
        }
        return new RgbImage(width, height, rgb);
    }

    /** Returns the mirror image, left and right swapped. */
    public static RgbImage flipHorizontal(RgbImage image) {
        int width = image.width();
        byte[] src = image.rgb();
        byte[] rgb = new byte[src.length];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < width; x++) {
                int from = 3 * (y * width + x);
                int to = 3 * (y * width + width - 1 - x);
                rgb[to] = src[from];
                rgb[to + 1] = src[from + 1];
                rgb[to + 2] = src[from + 2];
            }
        }
        return new RgbImage(width, image.height(), rgb);
    }
}

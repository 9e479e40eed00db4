package org.mutor.common.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Tiles equally sized images into one grid image, row by row, with black padding
 * around and between the cells (the layout of torchvision's {@code make_grid}).
 */
public final class ImageGrid {

    /** Padding, in pixels, used by sample grids unless told otherwise. */
    public static final int DEFAULT_PADDING = 2;

    private ImageGrid() {
    }

    /**
     * Composes the grid. With {@code n} images of {@code w x h}, the result is
     * {@code columns * (w + padding) + padding} wide and {@code rows * (h + padding) + padding}
     * high, where {@code rows = ceil(n / columns)}; unfilled cells stay black.
     *
     * @throws IllegalArgumentException when the list is empty, sizes differ, columns is
     *     not positive or padding is negative
     */
    public static RgbImage compose(List<RgbImage> images, int columns, int padding) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("cannot make a grid of no images; pass at least one");
        }
        if (columns <= 0 || padding < 0) {
            throw new IllegalArgumentException("invalid grid: " + columns + " columns, padding " + padding
                    + "; use a positive column count and a padding of 0 or more");
        }
        int w = images.get(0).width();
        int h = images.get(0).height();
        int rows = (images.size() + columns - 1) / columns;
        int gridW = Math.addExact(Math.multiplyExact(columns, w + padding), padding);
        int gridH = Math.addExact(Math.multiplyExact(rows, h + padding), padding);
        RgbImage grid = RgbImage.black(gridW, gridH);
        byte[] out = grid.rgb();
        for (int n = 0; n < images.size(); n++) {
            RgbImage image = images.get(n);
            if (image.width() != w || image.height() != h) {
                throw new IllegalArgumentException("grid image " + n + " is " + image.width() + "x"
                        + image.height() + " but image 0 is " + w + "x" + h + "; resize them to one size");
            }
            int left = padding + (n % columns) * (w + padding);
            int top = padding + (n / columns) * (h + padding);
            for (int y = 0; y < h; y++) {
                System.arraycopy(image.rgb(), 3 * y * w, out, 3 * ((top + y) * gridW + left), 3 * w);
            }
        }
        return grid;
    }

    /** Composes the grid and writes it with {@link ImageFiles#write} (PNG for a {@code .png} name). */
    public static void write(Path file, List<RgbImage> images, int columns, int padding) throws IOException {
        ImageFiles.write(file, compose(images, columns, padding));
    }
}

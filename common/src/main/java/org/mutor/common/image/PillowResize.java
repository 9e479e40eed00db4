package org.mutor.common.image;

/**
 * Image resizing that reproduces Pillow's {@code Image.resize} on 8-bit RGB images
 * bit for bit (with the default {@code reducing_gap=None}), for the filters that the
 * ADM and LlamaGen data pipelines use.
 *
 * <p>Pillow's algorithm, which differs from OpenCV's {@code cv::resize}: separable
 * convolution, horizontal pass first, then vertical. Each output sample {@code i} is
 * centred at {@code (i + 0.5) * scale} in input coordinates, where {@code scale = in / out};
 * when downscaling, the filter's support is stretched by {@code scale} (antialiasing).
 * The normalised weights are rounded to fixed point with 22 fractional bits, and each pass
 * rounds and clips its result to 0..255 before the next one.
 */
public final class PillowResize {

    /** Fractional bits of the fixed-point weights: 32 bits less 8 for the sample, 2 for overshoot. */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** Resampling filters, with Pillow's kernels and supports (in input pixels at scale 1). */
    public enum Filter {
        /** Box (area average): weight 1 on (-0.5, 0.5]. */
        BOX(0.5),
        /** Keys cubic convolution with {@code a = -0.5} (not the {@code -0.75} of OpenCV). */
        BICUBIC(2.0);

        private final double support;

        Filter(double support) {
            this.support = support;
        }

        /** Returns the kernel weight at distance {@code x} from the sample centre. */
        double weight(double x) {
            if (this == BOX) {
                return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
            }
            double a = -0.5;
            double d = Math.abs(x);
            if (d < 1.0) {
                return ((a + 2.0) * d - (a + 3.0)) * d * d + 1;
            }
            if (d < 2.0) {
                return (((d - 5) * d + 8) * d - 4) * a;
            }
            return 0.0;
        }
    }

    private PillowResize() {
    }

    /**
     * Resizes {@code image} to {@code width x height} as Pillow's
     * {@code image.resize((width, height), resample=filter)} does.
     *
     * @throws IllegalArgumentException when a target side is not positive
     */
    public static RgbImage resize(RgbImage image, int width, int height, Filter filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("invalid resize target " + width + "x" + height
                    + "; width and height must be positive");
        }
        Coefficients vertical = Coefficients.of(image.height(), height, filter);
        RgbImage current = image;
        int rowOffset = 0;
        if (width != image.width()) {
            // Only the input rows that the vertical pass reads are resampled horizontally.
            int firstRow = vertical.start[0];
            int lastRow = vertical.start[height - 1] + vertical.count[height - 1];
            current = horizontal(image, Coefficients.of(image.width(), width, filter), firstRow, lastRow);
            rowOffset = firstRow;
        }
        if (height != image.height()) {
            current = vertical(current, vertical, rowOffset);
        }
        if (current == image) {
            current = new RgbImage(image.width(), image.height(), image.rgb().clone());
        }
        return current;
    }

    /** Per output sample: the first input index, the number of taps, and fixed-point weights. */
    private static final class Coefficients {
        final int[] start;
        final int[] count;
        /** [outSize, taps] row-major; entries past {@code count[i]} are zero. */
        final int[] weights;
        final int taps;

        private Coefficients(int outSize, int taps) {
            this.start = new int[outSize];
            this.count = new int[outSize];
            this.weights = new int[Math.multiplyExact(outSize, taps)];
            this.taps = taps;
        }

        static Coefficients of(int inSize, int outSize, Filter filter) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            Coefficients c = new Coefficients(outSize, (int) Math.ceil(support) * 2 + 1);
            double inverseScale = 1.0 / filterScale;
            double[] k = new double[c.taps];
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                // Casts truncate toward zero, as the C code's do; negatives are clamped anyway.
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), inSize);
                int n = max - min;
                double sum = 0.0;
                for (int x = 0; x < n; x++) {
                    k[x] = filter.weight((x + min - center + 0.5) * inverseScale);
                    sum += k[x];
                }
                for (int x = 0; x < n; x++) {
                    double w = sum != 0.0 ? k[x] / sum : k[x];
                    c.weights[i * c.taps + x] = w < 0
                            ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                            : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                c.start[i] = min;
                c.count[i] = n;
            }
            return c;
        }
    }

    /** Resamples rows {@code [firstRow, lastRow)} of {@code in} to the coefficients' width. */
    private static RgbImage horizontal(RgbImage in, Coefficients c, int firstRow, int lastRow) {
        int outWidth = c.start.length;
        int rows = lastRow - firstRow;
        byte[] src = in.rgb();
        byte[] dst = new byte[Math.multiplyExact(Math.multiplyExact(outWidth, rows), 3)];
        int inStride = 3 * in.width();
        for (int y = 0; y < rows; y++) {
            int rowBase = (y + firstRow) * inStride;
            for (int x = 0; x < outWidth; x++) {
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                int w0 = x * c.taps;
                int p = rowBase + 3 * c.start[x];
                for (int t = 0; t < c.count[x]; t++, p += 3) {
                    int w = c.weights[w0 + t];
                    r += (src[p] & 0xFF) * w;
                    g += (src[p + 1] & 0xFF) * w;
                    b += (src[p + 2] & 0xFF) * w;
                }
                int o = 3 * (y * outWidth + x);
                dst[o] = clip8(r);
                dst[o + 1] = clip8(g);
                dst[o + 2] = clip8(b);
            }
        }
        return new RgbImage(outWidth, rows, dst);
    }

    /** Resamples columns; coefficient row indices are shifted down by {@code rowOffset}. */
    private static RgbImage vertical(RgbImage in, Coefficients c, int rowOffset) {
        int outHeight = c.start.length;
        int stride = 3 * in.width();
        byte[] src = in.rgb();
        byte[] dst = new byte[Math.multiplyExact(outHeight, stride)];
        for (int y = 0; y < outHeight; y++) {
            int w0 = y * c.taps;
            int first = c.start[y] - rowOffset;
            for (int i = 0; i < stride; i++) {
                int acc = 1 << (PRECISION_BITS - 1);
                int p = first * stride + i;
                for (int t = 0; t < c.count[y]; t++, p += stride) {
                    acc += (src[p] & 0xFF) * c.weights[w0 + t];
                }
                dst[y * stride + i] = clip8(acc);
            }
        }
        return new RgbImage(in.width(), outHeight, dst);
    }

    /** Drops the fraction bits (arithmetic shift, so toward minus infinity) and clips to 0..255. */
    private static byte clip8(int accumulator) {
        int v = accumulator >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }
}

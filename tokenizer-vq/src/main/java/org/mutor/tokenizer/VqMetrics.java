package org.mutor.tokenizer;

import org.mutor.common.image.RgbImage;

import java.util.BitSet;

/**
 * Reconstruction quality and codebook usage, computed on 8-bit images as LlamaGen's
 * tokenizer evaluation does: PSNR per image with pixels scaled to [0, 1], averaged
 * over images, and the share of codebook rows that some code selects.
 */
public final class VqMetrics {

    /** PSNR given to an exact reconstruction, whose mean squared error is 0. */
    public static final double MAX_PSNR = 100.0;

    private VqMetrics() {
    }

    /**
     * Returns the PSNR in dB of {@code reconstruction} against {@code original}, with pixels
     * in [0, 1]: {@code 10 log10(1 / mse)}, capped at {@link #MAX_PSNR}.
     *
     * @throws IllegalArgumentException when the sizes differ
     */
    public static double psnr(RgbImage original, RgbImage reconstruction) {
        if (original.width() != reconstruction.width() || original.height() != reconstruction.height()) {
            throw new IllegalArgumentException("cannot compare a " + original.width() + "x" + original.height()
                    + " image with a " + reconstruction.width() + "x" + reconstruction.height() + " one");
        }
        byte[] a = original.rgb();
        byte[] b = reconstruction.rgb();
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = ((a[i] & 0xFF) - (b[i] & 0xFF)) / 255.0;
            sum += d * d;
        }
        double mse = sum / a.length;
        return mse == 0 ? MAX_PSNR : Math.min(MAX_PSNR, 10 * Math.log10(1.0 / mse));
    }

    /** Records which codebook rows a set of codes uses. */
    public static final class Usage {
        private final int codebookSize;
        private final BitSet used;

        public Usage(int codebookSize) {
            this.codebookSize = codebookSize;
            this.used = new BitSet(codebookSize);
        }

        /** Marks every code of {@code codes} as used. */
        public void add(long[] codes) {
            for (long c : codes) {
                used.set((int) c);
            }
        }

        /** Number of distinct rows used. */
        public int distinct() {
            return used.cardinality();
        }

        /** Share of the codebook used, in [0, 1]. */
        public double fraction() {
            return (double) used.cardinality() / codebookSize;
        }
    }
}

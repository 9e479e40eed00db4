package org.mutor.common.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Resizes float images as PyTorch's {@code F.interpolate(mode="bicubic",
 * align_corners=False)} does without antialiasing: cubic convolution with A = -0.75,
 * source coordinate (dst + 0.5) * in / out - 0.5, taps clamped to the border.
 *
 * <p>This is the resize LlamaGen's FID script applies to 384 px samples before
 * evaluating them at 256 px; it is not Pillow's bicubic (A = -0.5, antialiased).
 * The resize is separable, so it runs as two matrix products on the engine.
 */
public final class TorchBicubicResize {

    private static final double A = -0.75;

    private TorchBicubicResize() {
    }

    /** Resizes images [B, C, H, W] to [B, C, outHeight, outWidth]. */
    public static NDArray resize(NDArray images, int outHeight, int outWidth) {
        Shape shape = images.getShape();
        int inHeight = (int) shape.get(2);
        int inWidth = (int) shape.get(3);
        NDManager manager = images.getManager();
        NDArray rows = manager.create(weights(inHeight, outHeight), new Shape(outHeight, inHeight));   // [oH, H]
        NDArray cols = manager.create(weights(inWidth, outWidth), new Shape(outWidth, inWidth)).transpose(); // [W, oW]
        return rows.matMul(images.matMul(cols)); // [oH, H] x [B, C, H, oW] -> [B, C, oH, oW]
    }

    /** Interpolation matrix [out, in] whose row i holds the cubic weights of output pixel i. */
    static float[] weights(int in, int out) {
        float[] w = new float[out * in];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            // PyTorch computes the source index in float32 arithmetic.
            float source = (float) ((i + 0.5f) * (float) scale - 0.5f);
            int floor = (int) Math.floor(source);
            float t = source - floor;
            float[] coefficients = cubicCoefficients(t);
            for (int k = 0; k < 4; k++) {
                int index = Math.min(Math.max(floor - 1 + k, 0), in - 1);
                w[i * in + index] += coefficients[k];
            }
        }
        return w;
    }

    /** Weights of the taps at offsets -1, 0, 1, 2 for fractional position t, as PyTorch's cubic kernel gives them. */
    static float[] cubicCoefficients(float t) {
        float x1 = t;
        float x2 = 1 - t;
        return new float[] {
            (float) ((((A * (x1 + 1)) - 5 * A) * (x1 + 1) + 8 * A) * (x1 + 1) - 4 * A),
            (float) (((A + 2) * x1 - (A + 3)) * x1 * x1 + 1),
            (float) (((A + 2) * x2 - (A + 3)) * x2 * x2 + 1),
            (float) ((((A * (x2 + 1)) - 5 * A) * (x2 + 1) + 8 * A) * (x2 + 1) - 4 * A),
        };
    }
}

package org.mutor.eval.inception;

/**
 * TensorFlow 1's bilinear resize ({@code tf.image.resize_bilinear} with
 * {@code align_corners=False}, as inside the Inception graph) written as an interpolation
 * matrix per axis. Output index {@code o} reads source coordinate
 * {@code s = o * (in / out)} computed in float32, with no half-pixel offset; it blends
 * {@code floor(s)} and {@code min(floor(s) + 1, in - 1)} with weights {@code 1 - f} and
 * {@code f}, {@code f = s - floor(s)}.
 */
public final class TfBilinear {

    private TfBilinear() {
    }

    /** Row-major {@code [out, in]} matrix M such that resized = M @ source along one axis. */
    public static float[] matrix(int in, int out) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("invalid resize " + in + " -> " + out + "; sizes must be positive");
        }
        float scale = (float) in / (float) out;
        float[] m = new float[out * in];
        for (int o = 0; o < out; o++) {
            float source = o * scale;
            int lo = (int) Math.floor(source);
            int hi = Math.min(lo + 1, in - 1);
            float frac = source - lo;
            m[o * in + lo] += 1f - frac;
            m[o * in + hi] += frac;
        }
        return m;
    }
}

package org.mutor.generator.sample;

import java.util.Arrays;

/**
 * Temperature, top-k and top-p filtering and categorical sampling on one row of
 * logits, on the host. Filtered entries become -infinity.
 */
public final class LogitFilters {

    private LogitFilters() {
    }

    /** Divides logits by max(temperature, 1e-5) in place. */
    public static void applyTemperature(float[] logits, double temperature) {
        float t = (float) Math.max(temperature, 1e-5);
        for (int i = 0; i < logits.length; i++) {
            logits[i] /= t;
        }
    }

    /** Keeps the k largest logits (and any tied with the k-th); k = 0 or k >= length keeps all. */
    public static void topK(float[] logits, int k) {
        if (k <= 0 || k >= logits.length) {
            return;
        }
        float[] sorted = logits.clone();
        Arrays.sort(sorted);
        float threshold = sorted[sorted.length - k];
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] < threshold) {
                logits[i] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * Keeps the smallest prefix of the descending distribution whose mass exceeds p,
     * always keeping the most likely token; p >= 1 keeps all.
     */
    public static void topP(float[] logits, double p) {
        if (p >= 1.0) {
            return;
        }
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // Stable descending order, so ties keep the lower index first, as a stable sort does.
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        double[] probs = softmax(logits);
        double cumulative = 0;
        boolean removing = false;
        for (int rank = 0; rank < order.length; rank++) {
            int index = order[rank];
            if (removing) {
                logits[index] = Float.NEGATIVE_INFINITY;
            }
            cumulative += probs[index];
            // A token is removed when the mass before it already exceeds p.
            if (cumulative > p) {
                removing = true;
            }
        }
    }

    /** Softmax in double precision; -infinity entries get probability 0. */
    public static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] out = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            out[i] = logits[i] == Float.NEGATIVE_INFINITY ? 0 : Math.exp(logits[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /** Draws an index from softmax(logits) by inverting the cumulative distribution at {@code uniform} in [0, 1). */
    public static int sample(float[] logits, double uniform) {
        double[] probs = softmax(logits);
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] == 0) {
                continue;
            }
            cumulative += probs[i];
            last = i;
            if (uniform < cumulative) {
                return i;
            }
        }
        return last; // Rounding left the total just under 1.
    }

    /** Index of the largest logit, the first on ties. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}

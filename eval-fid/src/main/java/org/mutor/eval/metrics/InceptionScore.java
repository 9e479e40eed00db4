package org.mutor.eval.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Inception score, streaming: {@code exp(mean_x KL(p(y|x) || p(y)))} per split of
 * consecutive samples (no shuffling), then the mean and standard deviation over splits.
 * With the default split of 5,000, 50,000 samples give the usual 10 splits; fewer samples
 * give fewer splits, and a final partial split (for example the last 2,000 of 12,000)
 * counts as a split of its own, as in the ADM evaluator. Memory: one split of
 * probabilities. Softmax and logarithms are taken in float64.
 */
public final class InceptionScore {

    /** Samples per split in the published protocol. */
    public static final int DEFAULT_SPLIT = 5000;

    /**
     * Mean and spread of the per-split scores.
     *
     * @param mean the reported score
     * @param std population standard deviation over splits (numpy's default)
     * @param splits number of splits
     */
    public record Score(double mean, double std, int splits) {
    }

    private final int classes;
    private final int splitSize;
    private final double[] probs;
    private final List<Double> scores = new ArrayList<>();
    private int filled;

    public InceptionScore(int classes, int splitSize) {
        if (classes < 2 || splitSize < 1) {
            throw new IllegalArgumentException("invalid inception score setup: " + classes + " classes, split "
                    + splitSize + "; need at least 2 classes and a positive split");
        }
        this.classes = classes;
        this.splitSize = splitSize;
        this.probs = new double[Math.multiplyExact(classes, splitSize)];
    }

    /** Adds logits, row-major {@code [B, classes]}. */
    public void add(float[] logits) {
        if (logits.length % classes != 0) {
            throw new IllegalArgumentException("logits length " + logits.length + " is not a multiple of " + classes);
        }
        for (int row = 0; row < logits.length / classes; row++) {
            int base = row * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                max = Math.max(max, logits[base + k]);
            }
            double total = 0;
            int out = filled * classes;
            for (int k = 0; k < classes; k++) {
                double e = Math.exp(logits[base + k] - max);
                probs[out + k] = e;
                total += e;
            }
            for (int k = 0; k < classes; k++) {
                probs[out + k] /= total;
            }
            if (++filled == splitSize) {
                closeSplit();
            }
        }
    }

    private void closeSplit() {
        double[] marginal = new double[classes];
        for (int i = 0; i < filled; i++) {
            for (int k = 0; k < classes; k++) {
                marginal[k] += probs[i * classes + k];
            }
        }
        for (int k = 0; k < classes; k++) {
            marginal[k] = Math.log(marginal[k] / filled);
        }
        double kl = 0;
        for (int i = 0; i < filled; i++) {
            for (int k = 0; k < classes; k++) {
                double p = probs[i * classes + k];
                if (p > 0) {
                    kl += p * (Math.log(p) - marginal[k]);
                }
            }
        }
        scores.add(Math.exp(kl / filled));
        filled = 0;
    }

    /** Closes a partial last split and returns the score. */
    public Score result() {
        if (filled > 0) {
            closeSplit();
        }
        if (scores.isEmpty()) {
            throw new IllegalStateException("inception score needs at least one sample");
        }
        double mean = scores.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double var = scores.stream().mapToDouble(s -> (s - mean) * (s - mean)).sum() / scores.size();
        return new Score(mean, Math.sqrt(var), scores.size());
    }
}

package org.mutor.generator.sample;

/**
 * Sampling settings, as LlamaGen names them.
 *
 * @param cfgScale classifier-free guidance scale; values above 1 double the batch with the null class
 * @param cfgInterval after this many steps use the conditional logits alone; -1 keeps guidance throughout
 * @param temperature logits are divided by max(temperature, 1e-5)
 * @param topK keep the k most likely tokens; 0 keeps all
 * @param topP keep the smallest set of most likely tokens whose mass exceeds p; 1 keeps all
 */
public record SamplingOptions(double cfgScale, int cfgInterval, double temperature, int topK, double topP) {

    public SamplingOptions {
        if (cfgScale < 1.0) {
            throw new IllegalArgumentException("invalid cfg scale " + cfgScale + "; use 1.0 (no guidance) or more");
        }
        if (temperature < 0) {
            throw new IllegalArgumentException("invalid temperature " + temperature + "; use a value >= 0");
        }
        if (topK < 0) {
            throw new IllegalArgumentException("invalid top-k " + topK + "; use 0 (off) or a positive count");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("invalid top-p " + topP + "; use a value in (0, 1]");
        }
    }

    /** The settings behind LlamaGen's published GPT-B/L numbers: cfg 2.0, temperature 1, no top-k/top-p. */
    public static SamplingOptions defaults() {
        return new SamplingOptions(2.0, -1, 1.0, 0, 1.0);
    }

    public boolean guided() {
        return cfgScale > 1.0;
    }
}

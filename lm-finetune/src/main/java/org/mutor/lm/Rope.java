package org.mutor.lm;

import com.google.gson.JsonObject;
import org.mutor.common.format.FormatException;

/**
 * Rotary position embedding in the Hugging Face "rotate half" layout: dimension {@code i} of
 * the first half pairs with {@code i + D/2}, both rotated by {@code position * invFreq[i]}.
 * Frequencies are computed in float32 like the reference, including Llama 3's frequency
 * rescaling for long contexts.
 */
public final class Rope {

    /**
     * Rotary settings.
     *
     * @param theta base of the frequencies ({@code rope_theta})
     * @param llama3 whether the llama3 rescaling applies
     * @param factor llama3 {@code factor}
     * @param lowFreqFactor llama3 {@code low_freq_factor}
     * @param highFreqFactor llama3 {@code high_freq_factor}
     * @param originalMaxPositions llama3 {@code original_max_position_embeddings}
     */
    public record Settings(double theta, boolean llama3, double factor, double lowFreqFactor,
                           double highFreqFactor, int originalMaxPositions) {

        /** Reads {@code rope_theta}/{@code rope_scaling}, or the newer {@code rope_parameters}. */
        static Settings fromConfig(JsonObject json, String source) throws FormatException {
            JsonObject params = json.has("rope_parameters") && json.get("rope_parameters").isJsonObject()
                    ? json.getAsJsonObject("rope_parameters") : null;
            JsonObject scaling = json.has("rope_scaling") && json.get("rope_scaling").isJsonObject()
                    ? json.getAsJsonObject("rope_scaling") : params;
            double theta = json.has("rope_theta") ? json.get("rope_theta").getAsDouble()
                    : params != null && params.has("rope_theta") ? params.get("rope_theta").getAsDouble() : 10000.0;
            String type = "default";
            if (scaling != null) {
                String key = scaling.has("rope_type") ? "rope_type" : "type";
                type = scaling.has(key) ? scaling.get(key).getAsString() : "default";
            }
            switch (type) {
                case "default":
                    return new Settings(theta, false, 1, 1, 1, 0);
                case "llama3":
                    return new Settings(theta, true, scaling.get("factor").getAsDouble(),
                            scaling.get("low_freq_factor").getAsDouble(), scaling.get("high_freq_factor").getAsDouble(),
                            scaling.get("original_max_position_embeddings").getAsInt());
                default:
                    throw new FormatException(source + ": rope type '" + type
                            + "' is not supported; supported are default and llama3");
            }
        }
    }

    private Rope() {
    }

    /** Inverse frequencies {@code [D/2]}, float32 arithmetic as in the reference. */
    public static float[] inverseFrequencies(Settings s, int headDim) {
        int half = headDim / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / headDim;
            inv[i] = (float) (1.0 / (float) Math.pow(s.theta(), exponent));
        }
        if (!s.llama3()) {
            return inv;
        }
        double lowWavelen = s.originalMaxPositions() / s.lowFreqFactor();
        double highWavelen = s.originalMaxPositions() / s.highFreqFactor();
        for (int i = 0; i < half; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            float scaled = wavelen > lowWavelen ? (float) (inv[i] / s.factor()) : inv[i];
            boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
            if (medium) {
                double smooth = (s.originalMaxPositions() / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                scaled = (float) ((1 - smooth) * scaled / s.factor() + smooth * scaled);
            }
            inv[i] = scaled;
        }
        return inv;
    }

    /**
     * Cosines and sines for each position id, each {@code [N, D]} row-major with the
     * {@code D/2} angles repeated twice.
     *
     * @return {cos, sin}
     */
    public static float[][] table(float[] invFreq, int[] positions) {
        int half = invFreq.length;
        int d = 2 * half;
        float[] cos = new float[positions.length * d];
        float[] sin = new float[positions.length * d];
        for (int n = 0; n < positions.length; n++) {
            for (int i = 0; i < half; i++) {
                float angle = positions[n] * invFreq[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[n * d + i] = c;
                cos[n * d + half + i] = c;
                sin[n * d + i] = s;
                sin[n * d + half + i] = s;
            }
        }
        return new float[][] {cos, sin};
    }
}

package org.mutor.common.nn;

import ai.djl.ndarray.NDArray;

import org.mutor.common.tensor.EngineArrays;

/** Scaled dot-product attention with grouped key/value heads and an optional KV cache. */
public final class Attention {

    private Attention() {
    }

    /**
     * Attends queries to keys and values after storing the new keys and values in the cache.
     *
     * @param q queries {@code [B, H, L, D]}, rotary already applied
     * @param k keys {@code [B, G, L, D]} of the same positions, rotary already applied
     * @param v values {@code [B, G, L, D]}
     * @param bias additive mask {@code [B|1, 1|H, L, S]} (0 or -inf), or null for none
     * @param cache KV cache, or null to attend within {@code k} and {@code v} only
     * @param layer the cache layer
     * @param start position of the first query in the cache
     * @return the heads side by side, {@code [B, L, H * D]}
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray bias, KvCache cache, int layer,
                                           int start) {
        long b = q.getShape().get(0);
        long heads = q.getShape().get(1);
        long l = q.getShape().get(2);
        long d = q.getShape().get(3);
        long kvHeads = k.getShape().get(1);
        if (cache != null) {
            cache.write(layer, k, v, start);
            k = cache.keys(layer, start + (int) l);   // [B, G, S, D]
            v = cache.values(layer, start + (int) l); // [B, G, S, D]
        }
        if (kvHeads != heads) {
            // Query head h reads key/value head h / (H / G), as repeat_kv in the reference models.
            k = k.repeat(1, heads / kvHeads);
            v = v.repeat(1, heads / kvHeads);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2));                   // [B, H, L, S]
        scores = scores.mul(EngineArrays.scalar(scores, 1.0 / Math.sqrt(d)));
        if (bias != null) {
            scores = scores.add(bias);
        }
        return scores.softmax(-1).matMul(v)                                  // [B, H, L, D]
                .transpose(0, 2, 1, 3).reshape(b, l, heads * d);             // [B, L, H * D]
    }
}

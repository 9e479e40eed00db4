package org.mutor.common.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Preallocated keys and values per layer of a decoder-only transformer, {@code [B, G,
 * maxLength, D]} each (B batch, G key/value heads, D head dim), shared by the image GPT
 * and the text LMs.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final int maxLength;

    /** Allocates zeroed keys and values in a sub-manager of {@code owner}, closed with the cache. */
    public KvCache(NDManager owner, int layers, int batch, int kvHeads, int maxLength, int headDim) {
        this.manager = owner.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.maxLength = maxLength;
        Shape shape = new Shape(batch, kvHeads, maxLength, headDim);
        for (int i = 0; i < layers; i++) {
            keys[i] = manager.zeros(shape);
            values[i] = manager.zeros(shape);
        }
    }

    /** Longest sequence the cache holds. */
    public int maxLength() {
        return maxLength;
    }

    /** Writes k, v {@code [B, G, L, D]} at positions {@code [start, start + L)}. */
    public void write(int layer, NDArray k, NDArray v, int start) {
        long length = k.getShape().get(2);
        if (start + length > maxLength) {
            throw new IllegalStateException("key/value cache has room for " + maxLength + " positions, but a write reaches position "
                    + (start + length) + "; allocate a longer cache");
        }
        NDIndex slot = new NDIndex(":, :, {}:{}", start, start + length);
        keys[layer].set(slot, k);
        values[layer].set(slot, v);
    }

    /** Keys of positions {@code [0, length)}: {@code [B, G, length, D]}. */
    public NDArray keys(int layer, int length) {
        return keys[layer].get(new NDIndex(":, :, :{}", length));
    }

    /** Values of positions {@code [0, length)}: {@code [B, G, length, D]}. */
    public NDArray values(int layer, int length) {
        return values[layer].get(new NDIndex(":, :, :{}", length));
    }

    @Override
    public void close() {
        manager.close();
    }
}

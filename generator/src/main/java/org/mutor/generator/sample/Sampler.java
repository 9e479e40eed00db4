package org.mutor.generator.sample;

import org.mutor.common.nn.KvCache;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import org.mutor.generator.gpt.GptConfig;
import org.mutor.generator.gpt.GptModel;

import java.util.SplittableRandom;

/**
 * Autoregressive sampling with a key/value cache and classifier-free guidance by
 * batch doubling (conditional rows, then the same rows with the null class).
 *
 * <p>Each sample draws from its own random stream derived from (seed, sample index),
 * so an image does not depend on the batch size or on its batch neighbours.
 */
public final class Sampler {

    private final GptModel model;

    public Sampler(GptModel model) {
        this.model = model;
    }

    /** Derives the stream seed of one sample from the run seed and the sample's global index. */
    public static long streamSeed(long seed, long sampleIndex) {
        long z = seed * 0x9E3779B97F4A7C15L + sampleIndex + 0x632BE59BD9B9E5DL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Samples image tokens for the given class labels.
     *
     * @param labels class per row, in [0, num_classes)
     * @param sampleIndices global index of each row, which selects its random stream
     * @return codes [B][block_size]
     */
    public long[][] sample(int[] labels, long[] sampleIndices, SamplingOptions options, long seed) {
        GptConfig config = model.config();
        int b = labels.length;
        int n = config.blockSize();
        boolean guided = options.guided();
        int rows = guided ? 2 * b : b;
        SplittableRandom[] streams = new SplittableRandom[b];
        for (int i = 0; i < b; i++) {
            streams[i] = new SplittableRandom(streamSeed(seed, sampleIndices[i]));
        }
        long[] conditions = new long[rows];
        for (int i = 0; i < b; i++) {
            if (labels[i] < 0 || labels[i] >= config.numClasses()) {
                throw new IllegalArgumentException("class " + labels[i] + " is outside this model's range 0-"
                        + (config.numClasses() - 1));
            }
            conditions[i] = labels[i];
            if (guided) {
                conditions[b + i] = config.numClasses(); // the null class
            }
        }
        long[][] codes = new long[b][n];
        NDManager manager = model.manager();
        try (NDManager work = manager.newSubManager();
             KvCache cache = model.newCache(work, rows, config.clsTokenNum() + n)) {
            float[] logits;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray cond = work.create(conditions);
                NDArray h = model.classEmbedding(cond).reshape(rows, 1, config.dim()); // [rows, 1, C]
                logits = model.decode(h, cache, 0).toFloatArray();                     // [rows * V]
            }
            for (int step = 0; step < n; step++) {
                long[] next = new long[rows];
                boolean cfgActive = guided && (options.cfgInterval() < 0 || step <= options.cfgInterval());
                for (int i = 0; i < b; i++) {
                    float[] row = rowLogits(logits, i, b, config.vocabSize(), guided, cfgActive, options.cfgScale());
                    int token = pick(row, options, streams[i]);
                    codes[i][step] = token;
                    next[i] = token;
                    if (guided) {
                        next[b + i] = token;
                    }
                }
                if (step == n - 1) {
                    break;
                }
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray tokens = work.create(next, new Shape(rows, 1));
                    logits = model.decode(model.tokenEmbedding(tokens), cache, step + 1).toFloatArray();
                }
            }
        }
        return codes;
    }

    private static float[] rowLogits(float[] logits, int row, int b, int vocab, boolean guided, boolean cfgActive,
                                     double scale) {
        float[] out = new float[vocab];
        System.arraycopy(logits, row * vocab, out, 0, vocab);
        if (guided && cfgActive) {
            int uncond = (b + row) * vocab;
            for (int v = 0; v < vocab; v++) {
                float u = logits[uncond + v];
                out[v] = (float) (u + (out[v] - u) * scale);
            }
        }
        return out;
    }

    private static int pick(float[] row, SamplingOptions options, SplittableRandom stream) {
        // One uniform per step and sample keeps the streams aligned whatever the filters do.
        double uniform = stream.nextDouble();
        if (options.topK() == 1) {
            return LogitFilters.argmax(row);
        }
        LogitFilters.applyTemperature(row, options.temperature());
        LogitFilters.topK(row, options.topK());
        LogitFilters.topP(row, options.topP());
        return LogitFilters.sample(row, uniform);
    }
}

package org.mutor.generator.gpt;

import org.mutor.common.nn.Attention;
import org.mutor.common.nn.KvCache;
import org.mutor.common.tensor.EngineArrays;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The LlamaGen class-conditional GPT on the engine, with parameters under LlamaGen's
 * checkpoint key names.
 *
 * <p>Dimension letters: B batch, L sequence positions in this call, S cached key
 * positions, C model width (dim), H query heads, G key/value heads, D head dim,
 * V vocabulary.
 *
 * <p>Block: h = x + wo(attn(RMSNorm(x))); out = h + w2(silu(w1 y) * w3 y) with
 * y = RMSNorm(h). Attention has one fused bias-free projection wqkv split into q, k, v,
 * 2D rotary embedding on q and k, and an additive bias that encodes causality (and,
 * for MuToR training, which register sees what).
 */
public final class GptModel implements AutoCloseable {

    /** Name of the register embedding that MuToR training adds; not part of LlamaGen's layout. */
    public static final String REGISTER_EMBEDDING = "register_embedding";

    private final GptConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final NDArray ropeTable; // [P, D/2, 2] (cos, sin); row 0 = class token, all zeros

    /** Applies dropout with probability p during training; null at inference. */
    @FunctionalInterface
    public interface Dropout extends BiFunction<NDArray, Double, NDArray> {
    }

    GptModel(GptConfig config, NDManager manager, Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.parameters = parameters;
        int grid = config.gridSize();
        float[] table = Rope2d.table(grid, config.headDim(), config.ropeBase(), config.clsTokenNum());
        this.ropeTable = EngineArrays.create(manager, table, new Shape(config.clsTokenNum() + (long) grid * grid, config.headDim() / 2, 2));
    }

    /**
     * Creates a model with LlamaGen's initialisation: normal(0, 0.02) for linear and
     * embedding weights, ones for norms, zeros for the output head.
     */
    public static GptModel initialize(GptConfig config, Device device, long seed, boolean withRegister) {
        NDManager manager = NDManager.newBaseManager(device);
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : GptWeights.expectedShapes(config, withRegister).entrySet()) {
            String name = e.getKey();
            Shape shape = new Shape(e.getValue());
            NDArray value;
            if (name.endsWith("norm.weight")) {
                value = manager.ones(shape);
            } else if (name.equals("output.weight")) {
                value = manager.zeros(shape);
            } else {
                value = EngineArrays.create(manager, normal(random, (int) shape.size(), 0.02f), shape);
            }
            value.setName(name);
            params.put(name, value);
        }
        return new GptModel(config, manager, params);
    }

    private static float[] normal(java.util.SplittableRandom random, int n, float std) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            // Box-Muller on two uniforms in (0, 1].
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            out[i] = (float) (std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return out;
    }

    public GptConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    /** Parameters by LlamaGen key name, in checkpoint order. */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    public boolean hasRegisterEmbedding() {
        return parameters.containsKey(REGISTER_EMBEDDING);
    }

    NDArray param(String name) {
        return parameters.get(name);
    }

    /** Class embeddings [B, C] for labels [B]; label numClasses is the null class. */
    public NDArray classEmbedding(NDArray labels) {
        return Embeddings.lookup(param("cls_embedding.embedding_table.weight"), labels);
    }

    /** Token embeddings [B, L, C] for codes [B, L]. */
    public NDArray tokenEmbedding(NDArray codes) {
        return Embeddings.lookup(param("tok_embeddings.weight"), codes);
    }

    /** Rotary rows (cos, sin) for position ids [B, L] or [L], shaped [B or 1, L, 1, D/2, 2]. */
    public NDArray rotary(NDArray positionIds) {
        NDArray ids = positionIds.getShape().dimension() == 1 ? positionIds.expandDims(0) : positionIds;
        NDArray rows = ropeTable.get(ids.flatten()); // [B*L, D/2, 2]
        return rows.reshape(ids.getShape().get(0), ids.getShape().get(1), 1, config.headDim() / 2, 2);
    }

    /**
     * Runs the transformer over input embeddings and returns logits [B, L, V].
     *
     * @param h input embeddings [B, L, C]
     * @param rotary rotary rows from {@link #rotary}
     * @param bias additive attention bias [B or 1, 1, L, L]: 0 where allowed, -inf elsewhere
     * @param dropout dropout during training, or null at inference
     */
    public NDArray forward(NDArray h, NDArray rotary, NDArray bias, Dropout dropout) {
        NDArray x = dropout == null ? h : dropout.apply(h, config.tokenDropoutP());
        for (int i = 0; i < config.nLayer(); i++) {
            x = block(i, x, rotary, bias, null, 0, dropout);
        }
        return head(x);
    }

    /** Final norm and output head: [B, L, C] -> [B, L, V]. */
    NDArray head(NDArray x) {
        NDArray normed = rmsNorm(x, param("norm.weight"));
        return Linear.linear(normed, param("output.weight")).singletonOrThrow();
    }

    /**
     * One transformer block. With a cache, keys and values of these L positions are
     * written at [start, start + L) and attention runs over [0, start + L).
     */
    NDArray block(int layer, NDArray x, NDArray rotary, NDArray bias, KvCache cache, int start, Dropout dropout) {
        String prefix = "layers." + layer + ".";
        NDArray attention = attention(layer, rmsNorm(x, param(prefix + "attention_norm.weight")), rotary, bias, cache, start);
        if (dropout != null) {
            attention = dropout.apply(attention, config.residDropoutP());
        }
        NDArray h = x.add(attention);
        NDArray y = rmsNorm(h, param(prefix + "ffn_norm.weight"));
        // SwiGLU: w2(silu(w1 y) * w3 y), no biases.
        NDArray gate = Linear.linear(y, param(prefix + "feed_forward.w1.weight")).singletonOrThrow();
        NDArray up = Linear.linear(y, param(prefix + "feed_forward.w3.weight")).singletonOrThrow();
        NDArray ffn = Linear.linear(gate.mul(Activation.sigmoid(gate)).mul(up),
                param(prefix + "feed_forward.w2.weight")).singletonOrThrow();
        if (dropout != null) {
            ffn = dropout.apply(ffn, config.ffnDropoutP());
        }
        return h.add(ffn);
    }

    private NDArray attention(int layer, NDArray x, NDArray rotary, NDArray bias, KvCache cache, int start) {
        String prefix = "layers." + layer + ".attention.";
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        int heads = config.nHead();
        int kvHeads = config.nKvHead();
        int d = config.headDim();
        NDArray qkv = Linear.linear(x, param(prefix + "wqkv.weight")).singletonOrThrow(); // [B, L, (H + 2G) * D]
        NDList parts = qkv.split(new long[] {(long) heads * d, (long) (heads + kvHeads) * d}, 2);
        NDArray q = applyRotary(parts.get(0).reshape(b, l, heads, d), rotary).transpose(0, 2, 1, 3); // [B, H, L, D]
        NDArray k = applyRotary(parts.get(1).reshape(b, l, kvHeads, d), rotary).transpose(0, 2, 1, 3); // [B, G, L, D]
        NDArray v = parts.get(2).reshape(b, l, kvHeads, d).transpose(0, 2, 1, 3);                   // [B, G, L, D]
        NDArray out = Attention.scaledDotProduct(q, k, v, bias, cache, layer, start); // [B, L, C]
        return Linear.linear(out, param(prefix + "wo.weight")).singletonOrThrow();
    }

    /** Rotates adjacent pairs (x[2k], x[2k+1]) of x [B, L, heads, D] by the table rows [B|1, L, 1, D/2, 2]. */
    static NDArray applyRotary(NDArray x, NDArray rotary) {
        Shape shape = x.getShape();
        NDArray pairs = x.reshape(shape.get(0), shape.get(1), shape.get(2), shape.get(3) / 2, 2);
        NDArray x0 = pairs.get(new NDIndex("..., 0"));
        NDArray x1 = pairs.get(new NDIndex("..., 1"));
        NDArray cos = rotary.get(new NDIndex("..., 0"));
        NDArray sin = rotary.get(new NDIndex("..., 1"));
        NDArray out0 = x0.mul(cos).sub(x1.mul(sin));
        NDArray out1 = x1.mul(cos).add(x0.mul(sin));
        return out0.stack(out1, -1).reshape(shape);
    }

    /** RMSNorm over the last axis: x * rsqrt(mean(x^2) + eps) * weight, in float32. */
    NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        return x.div(meanSquare.add(EngineArrays.scalar(meanSquare, config.normEps())).sqrt()).mul(weight);
    }

    /** Teacher-forced logits [B, N, V]: entry i predicts codes[:, i] from the class and the codes before it. */
    public NDArray teacherForcedLogits(NDArray labels, NDArray codes) {
        long b = codes.getShape().get(0);
        long n = codes.getShape().get(1);
        NDArray cls = classEmbedding(labels).reshape(b, 1, config.dim());                 // [B, 1, C]
        NDArray h = n > 1 ? cls.concat(tokenEmbedding(codes.get(":, :" + (n - 1))), 1) : cls; // [B, N, C]
        NDArray positions = manager.arange(0, (int) n, 1, DataType.INT64);
        NDArray bias = causalBias(h.getManager(), (int) n, 0, (int) n);
        return forward(h, rotary(positions), bias, null);
    }

    /** Additive causal bias [1, 1, L, S] for queries at [start, start + L) over keys [0, S). */
    public static NDArray causalBias(NDManager manager, int length, int start, int keys) {
        float[] bias = new float[length * keys];
        for (int i = 0; i < length; i++) {
            for (int j = 0; j < keys; j++) {
                bias[i * keys + j] = j <= start + i ? 0f : Float.NEGATIVE_INFINITY;
            }
        }
        return EngineArrays.create(manager, bias, new Shape(1, 1, length, keys));
    }

    /** Allocates a key/value cache for {@code batch} rows of up to {@code maxLength} positions. */
    public KvCache newCache(NDManager owner, int batch, int maxLength) {
        return new KvCache(owner, config.nLayer(), batch, config.nKvHead(), maxLength, config.headDim());
    }

    /**
     * Runs positions [start, start + L) with a cache and returns logits of the last
     * position only, [B, V].
     *
     * @param h input embeddings [B, L, C]
     */
    public NDArray decode(NDArray h, KvCache cache, int start) {
        int length = (int) h.getShape().get(1);
        NDArray positions = h.getManager().arange(start, start + length, 1, DataType.INT64);
        NDArray rot = rotary(positions);
        NDArray bias = length == 1 ? null : causalBias(h.getManager(), length, start, start + length);
        NDArray x = h;
        for (int i = 0; i < config.nLayer(); i++) {
            x = block(i, x, rot, bias, cache, start, null);
        }
        NDArray last = x.get(new NDIndex(":, -1:, :")); // [B, 1, C]
        return head(last).squeeze(1);                    // [B, V]
    }

    @Override
    public void close() {
        manager.close();
    }
}

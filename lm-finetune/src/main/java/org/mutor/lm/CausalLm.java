package org.mutor.lm;

import org.mutor.common.nn.Attention;
import org.mutor.common.nn.KvCache;
import org.mutor.common.tensor.EngineArrays;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import org.mutor.common.format.FormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A decoder-only language model (Llama or Gemma version 1) on engine arrays, with parameters
 * under their Hugging Face names, plus the optional MuToR register embedding.
 *
 * <p>Dimension letters: B batch, L positions in this call, S key positions (cached ones
 * included), C hidden size, H query heads, G key/value heads, D head dim, V vocabulary.
 *
 * <p>Block: {@code h = x + o(attn(norm(x)))}, {@code out = h + down(act(gate(y)) * up(y))} with
 * {@code y = norm(h)}; act is SiLU for Llama and tanh-GELU for Gemma. Attention takes an
 * additive bias, so the same code runs causal, prompt-bidirectional and register masks.
 *
 * <p>The register embedding is a separate {@code [C]} parameter, not a vocabulary entry, so the
 * embedding table, the head and {@code vocab_size} stay those of the base model. It lives in
 * the embedding table's space (Gemma scales it by {@code sqrt(C)} like a token row).
 */
public final class CausalLm implements AutoCloseable {

    /** Name of the register embedding parameter; never exported to the Hugging Face folder. */
    public static final String REGISTER_EMBEDDING = "register_embedding";

    private final LmConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final float[] invFreq;

    CausalLm(LmConfig config, NDManager manager, Map<String, NDArray> parameters) {
        this.config = config;
        this.manager = manager;
        this.parameters = parameters;
        this.invFreq = Rope.inverseFrequencies(config.rope(), config.headDim());
    }

    /**
     * Loads {@code config.json} and the weights of a Hugging Face folder onto {@code device}.
     *
     * @throws FormatException when the architecture is unsupported or the weights do not match
     */
    public static CausalLm load(Path folder, Device device) throws IOException {
        LmConfig config = LmConfig.read(folder.resolve("config.json"));
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            return new CausalLm(config, manager, LmWeights.load(folder, config, manager));
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Adds the register embedding, initialised as the mean of the token embedding rows (a vector
     * of typical norm that points where tokens point), unless it exists already.
     */
    public void addRegisterEmbedding() {
        if (!parameters.containsKey(REGISTER_EMBEDDING)) {
            NDArray mean = param("model.embed_tokens.weight").mean(new int[] {0}); // [C]
            mean.setName(REGISTER_EMBEDDING);
            parameters.put(REGISTER_EMBEDDING, mean);
        }
    }

    public LmConfig config() {
        return config;
    }

    public NDManager manager() {
        return manager;
    }

    /** Parameters by Hugging Face name (and the register embedding, when added). */
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    NDArray param(String name) {
        NDArray p = parameters.get(name);
        if (p == null) {
            throw new IllegalStateException("parameter '" + name + "' is absent; add the register embedding first");
        }
        return p;
    }

    /**
     * Input embeddings {@code [B, L, C]} for token ids {@code [B, L]}; where {@code registers}
     * ({@code [B, L, 1]}, 1 at register slots, or null) is set, the register embedding replaces
     * the token row.
     */
    public NDArray embed(NDArray ids, NDArray registers) {
        NDArray table = param("model.embed_tokens.weight");
        NDArray h = Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow(); // [B, L, C]
        if (registers != null) {
            NDArray reg = param(REGISTER_EMBEDDING).reshape(1, 1, config.hiddenSize());  // [1, 1, C]
            h = h.mul(registers.neg().add(EngineArrays.scalar(registers, 1))).add(reg.mul(registers));
        }
        if (config.architecture() == LmConfig.Architecture.GEMMA) {
            h = h.mul(EngineArrays.scalar(h, (float) Math.sqrt(config.hiddenSize())));
        }
        return h;
    }

    /**
     * Runs the blocks and the head.
     *
     * @param h input embeddings {@code [B, L, C]}
     * @param positions position ids, {@code B * L} row-major
     * @param bias additive attention bias {@code [B or 1, 1, L, S]}, or null for no mask
     * @param cache key/value cache, or null; with one, these positions are written at
     *     {@code [start, start + L)} and attention runs over {@code [0, start + L)}
     * @return logits {@code [B, L, V]}
     */
    public NDArray forward(NDArray h, int[] positions, NDArray bias, KvCache cache, int start) {
        long b = h.getShape().get(0);
        long l = h.getShape().get(1);
        float[][] table = Rope.table(invFreq, positions);
        Shape rotShape = new Shape(b, 1, l, config.headDim());
        NDArray cos = EngineArrays.create(h.getManager(), table[0], rotShape); // [B, 1, L, D]
        NDArray sin = EngineArrays.create(h.getManager(), table[1], rotShape);
        NDArray x = h;
        for (int i = 0; i < config.layers(); i++) {
            x = block(i, x, cos, sin, bias, cache, start);
        }
        NDArray normed = rmsNorm(x, param("model.norm.weight"));
        NDArray head = config.tiedEmbeddings() ? param("model.embed_tokens.weight") : param("lm_head.weight");
        return Linear.linear(normed, head).singletonOrThrow();
    }

    private NDArray block(int layer, NDArray x, NDArray cos, NDArray sin, NDArray bias, KvCache cache, int start) {
        String p = "model.layers." + layer + ".";
        NDArray h = x.add(attention(p, layer, rmsNorm(x, param(p + "input_layernorm.weight")), cos, sin, bias,
                cache, start));
        NDArray y = rmsNorm(h, param(p + "post_attention_layernorm.weight"));
        NDArray gate = Linear.linear(y, param(p + "mlp.gate_proj.weight")).singletonOrThrow();
        NDArray up = Linear.linear(y, param(p + "mlp.up_proj.weight")).singletonOrThrow();
        NDArray act = config.architecture() == LmConfig.Architecture.GEMMA ? geluTanh(gate)
                : gate.mul(Activation.sigmoid(gate));
        return h.add(Linear.linear(act.mul(up), param(p + "mlp.down_proj.weight")).singletonOrThrow());
    }

    private NDArray attention(String p, int layer, NDArray x, NDArray cos, NDArray sin, NDArray bias,
            KvCache cache, int start) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        int heads = config.heads();
        int kvHeads = config.kvHeads();
        int d = config.headDim();
        NDArray q = Linear.linear(x, param(p + "self_attn.q_proj.weight")).singletonOrThrow()
                .reshape(b, l, heads, d).transpose(0, 2, 1, 3);   // [B, H, L, D]
        NDArray k = Linear.linear(x, param(p + "self_attn.k_proj.weight")).singletonOrThrow()
                .reshape(b, l, kvHeads, d).transpose(0, 2, 1, 3); // [B, G, L, D]
        NDArray v = Linear.linear(x, param(p + "self_attn.v_proj.weight")).singletonOrThrow()
                .reshape(b, l, kvHeads, d).transpose(0, 2, 1, 3); // [B, G, L, D]
        q = rotate(q, cos, sin);
        k = rotate(k, cos, sin);
        NDArray out = Attention.scaledDotProduct(q, k, v, bias, cache, layer, start); // [B, L, H*D]
        return Linear.linear(out, param(p + "self_attn.o_proj.weight")).singletonOrThrow();
    }

    /** Rotate-half rotary on {@code [B, heads, L, D]} with cos/sin {@code [B, 1, L, D]}. */
    private static NDArray rotate(NDArray x, NDArray cos, NDArray sin) {
        long half = x.getShape().get(3) / 2;
        NDList parts = x.split(new long[] {half}, 3);
        NDArray rotated = parts.get(1).neg().concat(parts.get(0), 3); // [-x2, x1]
        return x.mul(cos).add(rotated.mul(sin));
    }

    /** RMSNorm over the last axis; Gemma scales by {@code 1 + w}, Llama by {@code w}. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        NDArray normed = x.div(meanSquare.add(EngineArrays.scalar(meanSquare, config.normEps())).sqrt());
        return normed.mul(config.architecture() == LmConfig.Architecture.GEMMA
                ? weight.add(EngineArrays.scalar(weight, 1)) : weight);
    }

    /** GELU with the tanh approximation: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
    private static NDArray geluTanh(NDArray x) {
        NDArray inner = x.add(x.mul(x).mul(x).mul(EngineArrays.scalar(x, 0.044715)))
                .mul(EngineArrays.scalar(x, Math.sqrt(2 / Math.PI)));
        return x.mul(inner.tanh().add(EngineArrays.scalar(x, 1))).mul(EngineArrays.scalar(x, 0.5));
    }

    /** Allocates a key/value cache for {@code batch} rows of up to {@code maxLength} positions. */
    public KvCache newCache(NDManager owner, int batch, int maxLength) {
        return new KvCache(owner, config.layers(), batch, config.kvHeads(), maxLength, config.headDim());
    }

    @Override
    public void close() {
        manager.close();
    }
}

package org.mutor.lm;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.mutor.common.format.FormatException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The settings of a Hugging Face {@code config.json} that the forward pass needs, for the two
 * supported families. Both the older layout ({@code rope_theta} and {@code rope_scaling} at the
 * top level, as in the published Llama 3 and Gemma checkpoints) and the newer one ({@code
 * rope_parameters}) are read.
 *
 * @param architecture model family
 * @param vocabSize V
 * @param hiddenSize C
 * @param intermediateSize MLP width
 * @param layers transformer blocks
 * @param heads query heads H
 * @param kvHeads key/value heads G (H for plain multi-head, 1 for multi-query)
 * @param headDim D, from {@code head_dim} or {@code hidden_size / heads}
 * @param normEps RMSNorm epsilon
 * @param rope rotary settings
 * @param tiedEmbeddings whether the output head reuses the token embeddings
 * @param bosId BOS token id, or -1
 * @param eosId EOS token id, or -1 (the first one when the file lists several)
 * @param json the whole file, written back on export
 */
public record LmConfig(Architecture architecture, int vocabSize, int hiddenSize, int intermediateSize,
                       int layers, int heads, int kvHeads, int headDim, double normEps, Rope.Settings rope,
                       boolean tiedEmbeddings, int bosId, int eosId, JsonObject json) {

    /** Model families this module runs. */
    public enum Architecture {
        /** Llama 2/3: SwiGLU MLP, RMSNorm scaled by w. */
        LLAMA("LlamaForCausalLM", "llama"),
        /** Gemma version 1: GeGLU (tanh GELU), RMSNorm scaled by 1 + w, embeddings times sqrt(C). */
        GEMMA("GemmaForCausalLM", "gemma");

        private final String className;
        private final String modelType;

        Architecture(String className, String modelType) {
            this.className = className;
            this.modelType = modelType;
        }

        /** The Hugging Face class name, as in {@code architectures}. */
        public String className() {
            return className;
        }
    }

    /** Reads {@code config.json} of a model folder. */
    public static LmConfig read(Path file) throws IOException {
        JsonObject json;
        try {
            json = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new FormatException(file + ": not a JSON object (" + e.getMessage() + ")");
        }
        return parse(json, file.toString());
    }

    /** Parses a config object; {@code source} names it in errors. */
    public static LmConfig parse(JsonObject json, String source) throws FormatException {
        Architecture arch = architecture(json, source);
        try {
            int hidden = json.get("hidden_size").getAsInt();
            int heads = json.get("num_attention_heads").getAsInt();
            int kvHeads = json.has("num_key_value_heads") && !json.get("num_key_value_heads").isJsonNull()
                    ? json.get("num_key_value_heads").getAsInt() : heads;
            int headDim = json.has("head_dim") && !json.get("head_dim").isJsonNull()
                    ? json.get("head_dim").getAsInt() : hidden / heads;
            if (heads % kvHeads != 0) {
                throw new FormatException(source + ": num_attention_heads " + heads
                        + " is not a multiple of num_key_value_heads " + kvHeads);
            }
            boolean tied = json.has("tie_word_embeddings")
                    ? json.get("tie_word_embeddings").getAsBoolean() : arch == Architecture.GEMMA;
            for (String flag : new String[] {"attention_bias", "mlp_bias"}) {
                if (json.has(flag) && json.get(flag).getAsBoolean()) {
                    throw new FormatException(source + ": " + flag + " is true, but only bias-free "
                            + "projections are supported");
                }
            }
            return new LmConfig(arch, json.get("vocab_size").getAsInt(), hidden,
                    json.get("intermediate_size").getAsInt(), json.get("num_hidden_layers").getAsInt(),
                    heads, kvHeads, headDim, json.get("rms_norm_eps").getAsDouble(),
                    Rope.Settings.fromConfig(json, source), tied, tokenId(json.get("bos_token_id")),
                    tokenId(json.get("eos_token_id")), json);
        } catch (NullPointerException | ClassCastException | IllegalStateException | NumberFormatException e) {
            throw new FormatException(source + ": a required field is missing or has the wrong type ("
                    + e.getMessage() + "); expected hidden_size, intermediate_size, num_hidden_layers, "
                    + "num_attention_heads, vocab_size and rms_norm_eps");
        }
    }

    private static Architecture architecture(JsonObject json, String source) throws FormatException {
        String found = null;
        if (json.has("architectures") && json.get("architectures").isJsonArray()) {
            for (JsonElement e : json.getAsJsonArray("architectures")) {
                found = e.getAsString();
                for (Architecture a : Architecture.values()) {
                    if (a.className.equals(found)) {
                        return a;
                    }
                }
            }
        } else if (json.has("model_type")) {
            found = json.get("model_type").getAsString();
            for (Architecture a : Architecture.values()) {
                if (a.modelType.equals(found)) {
                    return a;
                }
            }
        }
        throw new FormatException(source + ": architecture " + (found == null ? "(none given)" : "'" + found + "'")
                + " is not supported; supported are LlamaForCausalLM and GemmaForCausalLM");
    }

    private static int tokenId(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return -1;
        }
        return e.isJsonArray() ? e.getAsJsonArray().get(0).getAsInt() : e.getAsInt();
    }
}

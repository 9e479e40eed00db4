package org.mutor.generator.gpt;

import ai.djl.Device;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.mutor.common.config.ConfigException;
import org.mutor.common.config.YamlConfig;
import org.mutor.common.format.Checkpoint;
import org.mutor.common.format.FileInspector;
import org.mutor.common.format.FormatException;
import org.mutor.common.format.torch.ArgNamespace;
import org.mutor.common.format.torch.TorchFile;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Loads GPT checkpoints of every kind users bring: official LlamaGen files (weights
 * under "model" for B and L, bare state dicts for XXL and 3B), and this project's own
 * checkpoints, which carry their config in the metadata.
 *
 * <p>The config comes from, in order: an explicit YAML file or preset; the project
 * checkpoint's metadata; LlamaGen's saved {@code args} (gpt_model, image_size,
 * downsample_size); the model width of the weights, which identifies the preset.
 */
public final class GptLoader {

    /** Metadata key under which this project's checkpoints store the GPT config. */
    public static final String CONFIG_KEY = "gpt_config";

    /**
     * What the user said about the config and the weights.
     *
     * @param config an explicit config (from --gpt-config or --gpt-preset), or null to infer it
     * @param imageSize image size in pixels when inferring the grid (256 or 384), or 0 to use the checkpoint's args
     * @param downsample tokenizer downsampling factor used with imageSize (16 for LlamaGen's VQ-16)
     * @param ema load the "ema" weights instead of "model"
     * @param registerPolicy what to do with a stored register embedding
     */
    public record Request(GptConfig config, int imageSize, int downsample, boolean ema,
                          GptWeights.RegisterPolicy registerPolicy) {

        /** Returns the request for sampling from a checkpoint that stores its config: main weights, register skipped. */
        public static Request forSampling() {
            return new Request(null, 0, 0, false, GptWeights.RegisterPolicy.SKIP);
        }
    }

    private GptLoader() {
    }

    /** Loads a checkpoint as a model on {@code device}. */
    public static GptModel load(Path file, Request request, Device device) throws IOException {
        FileInspector.Format format = FileInspector.detect(file);
        Map<String, HostTensor> weights;
        GptConfig config = request.config();
        if (format == FileInspector.Format.SAFETENSORS) {
            Checkpoint.Contents contents = Checkpoint.load(file);
            weights = contents.tensors();
            if (config == null && contents.meta().has(CONFIG_KEY)) {
                config = fromJson(contents.meta().getAsJsonObject(CONFIG_KEY));
            }
        } else if (format == FileInspector.Format.TORCH_ZIP || format == FileInspector.Format.TORCH_LEGACY) {
            Object root = TorchFile.load(file);
            if (!(root instanceof Map)) {
                throw new FormatException(file + ": holds no dict of weights");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> dict = (Map<String, Object>) root;
            String key = request.ema() ? "ema" : "model";
            Map<String, Object> stateDict = dict.containsKey(key) || request.ema() ? TorchFile.subDict(dict, key) : dict;
            weights = TorchFile.flatten(stateDict);
            if (config == null) {
                config = fromArgs(dict.get("args"), weights, request);
            }
        } else {
            throw new FormatException(file + ": is a " + format.description()
                    + " file; a GPT checkpoint is a torch.save file or a mutor .safetensors checkpoint");
        }
        if (config == null) {
            config = fromWeights(weights, request);
        }
        return GptWeights.load(config, weights, device, request.registerPolicy());
    }

    /** Serialises a config under LlamaGen's key names, for checkpoint metadata. */
    public static JsonObject toJson(GptConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("dim", c.dim());
        o.addProperty("n_layer", c.nLayer());
        o.addProperty("n_head", c.nHead());
        o.addProperty("n_kv_head", c.nKvHead());
        o.addProperty("multiple_of", c.multipleOf());
        if (c.ffnDimMultiplier() != null) {
            o.addProperty("ffn_dim_multiplier", c.ffnDimMultiplier());
        }
        o.addProperty("norm_eps", c.normEps());
        o.addProperty("rope_base", c.ropeBase());
        o.addProperty("vocab_size", c.vocabSize());
        o.addProperty("num_classes", c.numClasses());
        o.addProperty("cls_token_num", c.clsTokenNum());
        o.addProperty("block_size", c.blockSize());
        o.addProperty("token_dropout_p", c.tokenDropoutP());
        o.addProperty("resid_dropout_p", c.residDropoutP());
        o.addProperty("ffn_dropout_p", c.ffnDropoutP());
        o.addProperty("class_dropout_prob", c.classDropoutProb());
        return o;
    }

    /** Reads a config written by {@link #toJson}. */
    public static GptConfig fromJson(JsonObject json) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            // Parsed JSON numbers are lazy; YAML readers expect Long or Double.
            String text = e.getValue().getAsString();
            boolean integral = !text.contains(".") && !text.contains("e") && !text.contains("E");
            map.put(e.getKey(), integral ? (Object) e.getValue().getAsLong() : (Object) e.getValue().getAsDouble());
        }
        return GptConfig.fromYaml(YamlConfig.of("checkpoint metadata", map));
    }

    /** Uses LlamaGen's saved args: gpt_model names the preset, image_size / downsample_size the grid. */
    private static GptConfig fromArgs(Object args, Map<String, HostTensor> weights, Request request) {
        if (!(args instanceof ArgNamespace namespace)) {
            return null;
        }
        Object model = namespace.get("gpt_model");
        if (!(model instanceof String name)) {
            return null;
        }
        String preset = name.toLowerCase(Locale.ROOT);
        if (!GptConfig.PRESETS.contains(preset)) {
            return null;
        }
        int imageSize = request.imageSize() > 0 ? request.imageSize() : intArg(namespace, "image_size", 256);
        int downsample = request.imageSize() > 0 ? request.downsample() : intArg(namespace, "downsample_size", 16);
        return withData(GptConfig.preset(preset), weights, imageSize / downsample);
    }

    private static int intArg(ArgNamespace args, String name, int fallback) {
        Object value = args.get(name);
        return value instanceof Number n ? n.intValue() : fallback;
    }

    /** Identifies the preset by the width of the token embeddings. */
    private static GptConfig fromWeights(Map<String, HostTensor> weights, Request request) {
        HostTensor tok = weights.get("tok_embeddings.weight");
        if (tok == null || tok.rank() != 2) {
            throw new ConfigException("cannot infer the GPT config: no tok_embeddings.weight in the checkpoint; "
                    + "give --gpt-config FILE or --gpt-preset NAME");
        }
        long dim = tok.shape()[1];
        String preset = switch ((int) dim) {
            case 768 -> "gpt-b";
            case 1024 -> "gpt-l";
            case 1280 -> "gpt-xl";
            case 1536 -> "gpt-xxl";
            case 3200 -> "gpt-3b";
            default -> throw new ConfigException("cannot infer the GPT config from width " + dim
                    + "; give --gpt-config FILE or --gpt-preset NAME");
        };
        int imageSize = request.imageSize() > 0 ? request.imageSize() : 256;
        return withData(GptConfig.preset(preset), weights, imageSize / request.downsample());
    }

    /** Sets vocabulary, class count and grid from the weights and image size, keeping the preset's shape. */
    private static GptConfig withData(GptConfig p, Map<String, HostTensor> weights, int grid) {
        HostTensor tok = weights.get("tok_embeddings.weight");
        HostTensor cls = weights.get("cls_embedding.embedding_table.weight");
        int vocab = tok != null ? (int) tok.shape()[0] : p.vocabSize();
        int classes = cls != null ? (int) cls.shape()[0] - 1 : p.numClasses();
        return new GptConfig(p.dim(), p.nLayer(), p.nHead(), p.nKvHead(), p.multipleOf(), p.ffnDimMultiplier(),
                p.normEps(), p.ropeBase(), vocab, classes, p.clsTokenNum(), grid * grid, p.tokenDropoutP(),
                p.residDropoutP(), p.ffnDropoutP(), p.classDropoutProb());
    }
}

package org.mutor.cli;

import ai.djl.Device;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.mutor.common.config.YamlConfig;
import org.mutor.common.format.Checkpoint;
import org.mutor.common.format.FileInspector;
import org.mutor.tokenizer.VqConfig;
import org.mutor.tokenizer.VqModel;
import org.mutor.tokenizer.VqWeights;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Options that select a VQ tokenizer checkpoint and its config. */
public final class VqOptions {

    /** Metadata key under which mutor's tokenizer checkpoints store their config. */
    public static final String CONFIG_KEY = "vq_config";

    @Option(names = "--vq", paramLabel = "CKPT",
            description = "VQ tokenizer checkpoint: LlamaGen's vq_ds16_c2i.pt or a mutor .safetensors checkpoint.")
    Path vq;

    @Option(names = "--vq-config", paramLabel = "YAML",
            description = "Tokenizer config with LlamaGen's keys (codebook_size, ch, ...); keys left out take VQ-16 values.")
    Path vqConfig;

    @Option(names = "--vq-preset", paramLabel = "NAME",
            description = "Tokenizer preset: vq-16, vq-8, vq-tiny or vq-fmnist. Default: the checkpoint's own config, "
                    + "else vq-16.")
    String vqPreset;

    @Option(names = "--vq-ema", description = "Load the tokenizer's EMA weights instead of the model weights.")
    boolean vqEma;

    /** Returns the explicit config, or null when it comes from the checkpoint. */
    VqConfig explicitConfig() {
        if (vqConfig != null && vqPreset != null) {
            throw new IllegalArgumentException("give --vq-config or --vq-preset, not both");
        }
        if (vqConfig != null) {
            return VqConfig.fromYaml(YamlConfig.load(vqConfig).subset(VqConfig.KEYS));
        }
        return vqPreset != null ? VqConfig.preset(vqPreset) : null;
    }

    /** Loads the tokenizer named by --vq. */
    VqModel load(Device device) throws IOException {
        return load(vq, explicitConfig(), vqEma, device);
    }

    /** Loads a tokenizer checkpoint of either kind; the config defaults to the checkpoint's, else VQ-16. */
    static VqModel load(Path file, VqConfig explicit, boolean ema, Device device) throws IOException {
        if (FileInspector.detect(file) == FileInspector.Format.SAFETENSORS) {
            Checkpoint.Contents contents = Checkpoint.load(file);
            VqConfig config = explicit;
            if (config == null && contents.meta().has(CONFIG_KEY)) {
                config = fromJson(contents.meta().getAsJsonObject(CONFIG_KEY));
            }
            return VqWeights.load(config != null ? config : VqConfig.vq16(), contents.tensors(), device);
        }
        return VqWeights.loadFile(explicit != null ? explicit : VqConfig.vq16(), file, ema ? "ema" : "model", device);
    }

    static VqConfig fromJson(JsonObject json) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            JsonElement v = e.getValue();
            if (v.isJsonArray()) {
                java.util.List<Integer> list = new java.util.ArrayList<>();
                v.getAsJsonArray().forEach(x -> list.add(x.getAsInt()));
                map.put(e.getKey(), list);
            } else if (v.getAsJsonPrimitive().isBoolean()) {
                map.put(e.getKey(), v.getAsBoolean());
            } else {
                map.put(e.getKey(), v.getAsNumber());
            }
        }
        return VqConfig.fromYaml(YamlConfig.of("checkpoint metadata", map));
    }
}

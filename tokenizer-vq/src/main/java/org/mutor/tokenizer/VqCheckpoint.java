package org.mutor.tokenizer;

import org.mutor.common.format.WeightMismatchException;
import ai.djl.Device;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.mutor.common.config.YamlConfig;
import org.mutor.common.format.Checkpoint;
import org.mutor.common.format.FormatException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * mutor's tokenizer inference checkpoint: a {@link Checkpoint} (safetensors) holding the
 * weights under LlamaGen's key names, with the config in the metadata under
 * {@value #CONFIG_KEY} (LlamaGen key names, lists as JSON arrays) and the training step
 * under {@code step}.
 */
public final class VqCheckpoint {

    /** Metadata key of the tokenizer config. */
    public static final String CONFIG_KEY = "vq_config";

    private VqCheckpoint() {
    }

    /** Writes the model's weights and config, atomically; {@code extra} entries join the metadata (may be null). */
    public static void save(Path file, VqModel model, long step, JsonObject extra) throws IOException {
        JsonObject meta = extra == null ? new JsonObject() : extra.deepCopy();
        meta.add(CONFIG_KEY, toJson(model.config()));
        meta.addProperty("step", step);
        Checkpoint.save(file, VqWeights.stateDict(model), meta);
    }

    /**
     * Loads a checkpoint written by {@link #save}; {@code explicit} overrides the stored config.
     *
     * @throws FormatException when the file has no config and none is given
     * @throws WeightMismatchException when the weights do not fit the config
     */
    public static VqModel load(Path file, VqConfig explicit, Device device) throws IOException {
        Checkpoint.Contents contents = Checkpoint.load(file);
        VqConfig config = explicit;
        if (config == null) {
            if (!contents.meta().has(CONFIG_KEY)) {
                throw new FormatException(file + ": has no " + CONFIG_KEY + " in its metadata; give the config with "
                        + "--vq-config or --vq-preset");
            }
            config = fromJson(contents.meta().getAsJsonObject(CONFIG_KEY));
        }
        return VqWeights.load(config, contents.tensors(), device);
    }

    /** The config as JSON with LlamaGen's key names. */
    public static JsonObject toJson(VqConfig c) {
        JsonObject json = new JsonObject();
        json.addProperty("codebook_size", c.codebookSize());
        json.addProperty("codebook_embed_dim", c.codebookEmbedDim());
        json.addProperty("codebook_l2_norm", c.codebookL2Norm());
        json.addProperty("commit_loss_beta", c.commitLossBeta());
        json.add("encoder_ch_mult", array(c.encoderChMult()));
        json.add("decoder_ch_mult", array(c.decoderChMult()));
        json.addProperty("z_channels", c.zChannels());
        json.addProperty("ch", c.ch());
        json.addProperty("num_res_blocks", c.numResBlocks());
        json.addProperty("dropout_p", c.dropoutP());
        return json;
    }

    private static JsonArray array(List<Integer> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    /** Reads a config written by {@link #toJson}; keys left out take VQ-16 values. */
    public static VqConfig fromJson(JsonObject json) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            JsonElement v = e.getValue();
            if (v.isJsonArray()) {
                List<Integer> list = new ArrayList<>();
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

package org.mutor.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.mutor.common.format.FormatException;
import org.mutor.common.format.SafeTensors;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the weights of a Hugging Face model folder ({@code model.safetensors}, or the shards
 * listed by {@code model.safetensors.index.json}) under their Hugging Face names, with a strict
 * check: every expected tensor present with its shape, no unknown tensor. bfloat16 and float16
 * are widened to float32 on the host.
 */
public final class LmWeights {

    /** File name of a single-file checkpoint. */
    public static final String SINGLE = "model.safetensors";
    /** File name of the shard index. */
    public static final String INDEX = "model.safetensors.index.json";

    private LmWeights() {
    }

    /** Expected tensor shapes by Hugging Face name, in checkpoint order; no lm_head when tied. */
    public static Map<String, long[]> expectedShapes(LmConfig c) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        long hidden = c.hiddenSize();
        long q = (long) c.heads() * c.headDim();
        long kv = (long) c.kvHeads() * c.headDim();
        shapes.put("model.embed_tokens.weight", new long[] {c.vocabSize(), hidden});
        for (int i = 0; i < c.layers(); i++) {
            String p = "model.layers." + i + ".";
            shapes.put(p + "self_attn.q_proj.weight", new long[] {q, hidden});
            shapes.put(p + "self_attn.k_proj.weight", new long[] {kv, hidden});
            shapes.put(p + "self_attn.v_proj.weight", new long[] {kv, hidden});
            shapes.put(p + "self_attn.o_proj.weight", new long[] {hidden, q});
            shapes.put(p + "mlp.gate_proj.weight", new long[] {c.intermediateSize(), hidden});
            shapes.put(p + "mlp.up_proj.weight", new long[] {c.intermediateSize(), hidden});
            shapes.put(p + "mlp.down_proj.weight", new long[] {hidden, c.intermediateSize()});
            shapes.put(p + "input_layernorm.weight", new long[] {hidden});
            shapes.put(p + "post_attention_layernorm.weight", new long[] {hidden});
        }
        shapes.put("model.norm.weight", new long[] {hidden});
        if (!c.tiedEmbeddings()) {
            shapes.put("lm_head.weight", new long[] {c.vocabSize(), hidden});
        }
        return shapes;
    }

    /**
     * Loads and checks the weights of {@code folder} into float32 arrays of {@code manager}.
     *
     * @throws FormatException when no weights file exists, or a tensor is missing, unknown or misshapen
     */
    public static Map<String, NDArray> load(Path folder, LmConfig config, NDManager manager) throws IOException {
        Map<String, HostTensor> found = readAll(folder);
        Map<String, long[]> expected = expectedShapes(config);
        Set<String> unknown = new TreeSet<>(found.keySet());
        unknown.removeAll(expected.keySet());
        if (config.tiedEmbeddings()) {
            unknown.remove("lm_head.weight"); // some tied checkpoints store the duplicate anyway
        }
        unknown.removeIf(name -> name.endsWith("rotary_emb.inv_freq")); // old exports keep this buffer
        if (!unknown.isEmpty()) {
            throw new FormatException(folder + ": unexpected tensors " + unknown + " for "
                    + config.architecture().className() + "; the weights belong to another architecture");
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            HostTensor t = found.get(e.getKey());
            if (t == null) {
                throw new FormatException(folder + ": tensor '" + e.getKey() + "' is missing; the folder is not a "
                        + "complete " + config.architecture().className() + " checkpoint");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new FormatException(folder + ": tensor '" + e.getKey() + "' has shape "
                        + Arrays.toString(t.shape()) + " but config.json implies " + Arrays.toString(e.getValue()));
            }
            if (!t.dtype().isFloatingPoint()) {
                throw new FormatException(folder + ": tensor '" + e.getKey() + "' has integer dtype "
                        + t.dtype().shortName() + "; expected float32, bfloat16 or float16");
            }
            NDArray array = t.toNDArray(manager);
            if (array.getDataType() != ai.djl.ndarray.types.DataType.FLOAT32) {
                NDArray wide = array.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                array.close();
                array = wide;
            }
            array.setName(e.getKey());
            out.put(e.getKey(), array);
        }
        return out;
    }

    /** Reads every tensor of the folder, from the index's shards or the single file. */
    static Map<String, HostTensor> readAll(Path folder) throws IOException {
        Path index = folder.resolve(INDEX);
        Map<String, HostTensor> all = new LinkedHashMap<>();
        if (Files.exists(index)) {
            JsonObject map;
            try {
                map = JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8))
                        .getAsJsonObject().getAsJsonObject("weight_map");
            } catch (JsonParseException | IllegalStateException | ClassCastException e) {
                throw new FormatException(index + ": not a shard index with a weight_map object");
            }
            if (map == null) {
                throw new FormatException(index + ": has no weight_map object");
            }
            Set<String> shards = new TreeSet<>();
            map.entrySet().forEach(e -> shards.add(e.getValue().getAsString()));
            for (String shard : shards) {
                all.putAll(SafeTensors.read(folder.resolve(shard)).tensors());
            }
            for (String name : map.keySet()) {
                if (!all.containsKey(name)) {
                    throw new FormatException(index + ": lists '" + name + "' but its shard "
                            + map.get(name).getAsString() + " does not hold it");
                }
            }
            return all;
        }
        Path single = folder.resolve(SINGLE);
        if (!Files.exists(single)) {
            throw new FormatException(folder + ": has neither " + SINGLE + " nor " + INDEX
                    + "; give a Hugging Face model folder saved with safetensors");
        }
        return SafeTensors.read(single).tensors();
    }
}

package org.mutor.generator.gpt;

import org.mutor.common.format.WeightMismatchException;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import org.mutor.common.tensor.HostTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Maps LlamaGen GPT checkpoint keys to parameters, strictly: every expected weight
 * must be present with the expected shape, and every stored weight must be used,
 * except key/value-cache buffers, which are ignored by name. Upstream loads with
 * non-strict matching, which hides such mismatches.
 */
public final class GptWeights {

    /** What to do with a stored register embedding (a MuToR-trained model). */
    public enum RegisterPolicy {
        /** Load it: training resumes or continues with registers. */
        LOAD,
        /** Skip it on purpose: inference never uses registers. */
        SKIP
    }

    private GptWeights() {
    }

    /** Expected parameter shapes in LlamaGen's key order. */
    public static Map<String, long[]> expectedShapes(GptConfig c, boolean withRegister) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("cls_embedding.embedding_table.weight", new long[] {c.numClasses() + 1, c.dim()});
        shapes.put("tok_embeddings.weight", new long[] {c.vocabSize(), c.dim()});
        for (int i = 0; i < c.nLayer(); i++) {
            String p = "layers." + i + ".";
            shapes.put(p + "attention.wqkv.weight", new long[] {c.qkvRows(), c.dim()});
            shapes.put(p + "attention.wo.weight", new long[] {c.dim(), c.dim()});
            shapes.put(p + "feed_forward.w1.weight", new long[] {c.ffnHidden(), c.dim()});
            shapes.put(p + "feed_forward.w2.weight", new long[] {c.dim(), c.ffnHidden()});
            shapes.put(p + "feed_forward.w3.weight", new long[] {c.ffnHidden(), c.dim()});
            shapes.put(p + "attention_norm.weight", new long[] {c.dim()});
            shapes.put(p + "ffn_norm.weight", new long[] {c.dim()});
        }
        shapes.put("norm.weight", new long[] {c.dim()});
        shapes.put("output.weight", new long[] {c.vocabSize(), c.dim()});
        if (withRegister) {
            shapes.put(GptModel.REGISTER_EMBEDDING, new long[] {c.dim()});
        }
        return shapes;
    }

    /** True for stored entries that are not weights: the key/value caches of upstream's inference set-up. */
    static boolean isIgnoredBuffer(String key) {
        return key.contains(".kv_cache.") || key.endsWith("freqs_cis") || key.endsWith("causal_mask");
    }

    /**
     * Builds a model from a state dict.
     *
     * @throws WeightMismatchException naming each missing, unexpected or mis-shaped key
     */
    public static GptModel load(GptConfig config, Map<String, HostTensor> stateDict, Device device,
                                RegisterPolicy registerPolicy) {
        boolean stored = stateDict.containsKey(GptModel.REGISTER_EMBEDDING);
        boolean withRegister = stored && registerPolicy == RegisterPolicy.LOAD;
        Map<String, long[]> expected = expectedShapes(config, withRegister);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            HostTensor t = stateDict.get(e.getKey());
            if (t == null) {
                problems.add("missing key " + e.getKey() + " (expected shape " + Arrays.toString(e.getValue()) + ")");
            } else if (!Arrays.equals(t.shape(), e.getValue())) {
                problems.add("key " + e.getKey() + " has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        TreeSet<String> unexpected = new TreeSet<>();
        for (String key : stateDict.keySet()) {
            if (!expected.containsKey(key) && !isIgnoredBuffer(key)
                    && !(key.equals(GptModel.REGISTER_EMBEDDING) && registerPolicy == RegisterPolicy.SKIP)) {
                unexpected.add(key);
            }
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected key(s) " + summarize(unexpected));
        }
        if (!problems.isEmpty()) {
            throw new WeightMismatchException("GPT checkpoint does not match the config (dim " + config.dim()
                    + ", n_layer " + config.nLayer() + ", n_head " + config.nHead() + ", vocab_size "
                    + config.vocabSize() + "): " + String.join("; ", problems.subList(0, Math.min(problems.size(), 5)))
                    + (problems.size() > 5 ? "; and " + (problems.size() - 5) + " more" : ""));
        }
        NDManager manager = NDManager.newBaseManager(device);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (String key : expected.keySet()) {
            NDArray array = stateDict.get(key).toNDArray(manager).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
            array.setName(key);
            params.put(key, array);
        }
        return new GptModel(config, manager, params);
    }

    private static String summarize(TreeSet<String> keys) {
        List<String> shown = new ArrayList<>(keys).subList(0, Math.min(keys.size(), 5));
        return String.join(", ", shown) + (keys.size() > 5 ? " and " + (keys.size() - 5) + " more" : "");
    }

    /** Copies the parameters to the host in LlamaGen's layout, optionally without the register embedding. */
    public static Map<String, HostTensor> stateDict(GptModel model, boolean withRegister) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        model.parameters().forEach((name, array) -> {
            if (withRegister || !name.equals(GptModel.REGISTER_EMBEDDING)) {
                out.put(name, HostTensor.fromNDArray(array));
            }
        });
        return out;
    }
}

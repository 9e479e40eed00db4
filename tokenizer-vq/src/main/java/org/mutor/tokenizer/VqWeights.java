package org.mutor.tokenizer;

import org.mutor.common.format.WeightMismatchException;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.mutor.common.format.torch.TorchFile;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Maps LlamaGen VQ checkpoint keys to parameters, strictly: every expected weight
 * must be present with the expected shape and every stored weight must be used,
 * except the codebook usage buffer, which is skipped by name.
 */
public final class VqWeights {

    /** The quantizer's usage statistics: a training-time buffer that inference does not need. */
    public static final String CODEBOOK_USED = "quantize.codebook_used";

    /** Key of the codebook [K, D]. */
    public static final String CODEBOOK = "quantize.embedding.weight";

    private VqWeights() {
    }

    /** Expected parameter shapes, in the order of LlamaGen's state_dict. */
    public static Map<String, long[]> expectedShapes(VqConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        // Encoder: conv_in, levels from the highest resolution down, middle, output.
        conv(s, "encoder.conv_in", c.ch(), 3, 3);
        int in = c.ch();
        for (int l = 0; l < c.levels(); l++) {
            int out = c.encoderChannels(l);
            String p = "encoder.conv_blocks." + l + ".";
            for (int j = 0; j < c.numResBlocks(); j++) {
                resBlock(s, p + "res." + j, j == 0 ? in : out, out);
            }
            if (l == c.levels() - 1) {
                for (int j = 0; j < c.numResBlocks(); j++) {
                    attnBlock(s, p + "attn." + j, out);
                }
            } else {
                conv(s, p + "downsample.conv", out, out, 3);
            }
            in = out;
        }
        middle(s, "encoder.mid", in);
        norm(s, "encoder.norm_out", in);
        conv(s, "encoder.conv_out", c.zChannels(), in, 3);

        // Decoder: conv_in, middle, levels from the lowest resolution up, output.
        in = c.decoderChannels(0);
        conv(s, "decoder.conv_in", in, c.zChannels(), 3);
        middle(s, "decoder.mid", in);
        for (int i = 0; i < c.levels(); i++) {
            int out = c.decoderChannels(i);
            String p = "decoder.conv_blocks." + i + ".";
            for (int j = 0; j <= c.numResBlocks(); j++) {
                resBlock(s, p + "res." + j, j == 0 ? in : out, out);
            }
            if (i == 0) {
                for (int j = 0; j <= c.numResBlocks(); j++) {
                    attnBlock(s, p + "attn." + j, out);
                }
            }
            if (i != c.levels() - 1) {
                conv(s, p + "upsample.conv", out, out, 3);
            }
            in = out;
        }
        norm(s, "decoder.norm_out", in);
        conv(s, "decoder.conv_out", 3, in, 3);

        // Quantizer and the 1x1 convs around it.
        s.put(CODEBOOK, new long[] {c.codebookSize(), c.codebookEmbedDim()});
        conv(s, "quant_conv", c.codebookEmbedDim(), c.zChannels(), 1);
        conv(s, "post_quant_conv", c.zChannels(), c.codebookEmbedDim(), 1);
        return s;
    }

    private static void conv(Map<String, long[]> s, String name, int out, int in, int kernel) {
        s.put(name + ".weight", new long[] {out, in, kernel, kernel});
        s.put(name + ".bias", new long[] {out});
    }

    private static void norm(Map<String, long[]> s, String name, int channels) {
        s.put(name + ".weight", new long[] {channels});
        s.put(name + ".bias", new long[] {channels});
    }

    private static void resBlock(Map<String, long[]> s, String p, int in, int out) {
        norm(s, p + ".norm1", in);
        conv(s, p + ".conv1", out, in, 3);
        norm(s, p + ".norm2", out);
        conv(s, p + ".conv2", out, out, 3);
        if (in != out) {
            conv(s, p + ".nin_shortcut", out, in, 1);
        }
    }

    private static void attnBlock(Map<String, long[]> s, String p, int c) {
        norm(s, p + ".norm", c);
        for (String name : new String[] {"q", "k", "v", "proj_out"}) {
            conv(s, p + "." + name, c, c, 1);
        }
    }

    private static void middle(Map<String, long[]> s, String p, int c) {
        resBlock(s, p + ".0", c, c);
        attnBlock(s, p + ".1", c);
        resBlock(s, p + ".2", c, c);
    }

    /**
     * Reads a torch.save checkpoint and builds the model from the state dict under
     * {@code entry} ("model", or "ema" for the averaged weights).
     *
     * @throws org.mutor.common.format.FormatException when the file or the entry cannot be read
     * @throws WeightMismatchException naming each missing, unexpected or mis-shaped key
     */
    public static VqModel loadFile(VqConfig config, Path file, String entry, Device device) throws IOException {
        return load(config, TorchFile.flatten(TorchFile.loadDict(file, entry)), device);
    }

    /**
     * Builds a model from a state dict; weights of any floating type are widened to float32.
     *
     * @throws WeightMismatchException naming each missing, unexpected or mis-shaped key
     */
    public static VqModel load(VqConfig config, Map<String, HostTensor> stateDict, Device device) {
        Map<String, long[]> expected = expectedShapes(config);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            HostTensor t = stateDict.get(e.getKey());
            if (t == null) {
                problems.add("missing key " + e.getKey() + " (expected shape " + Arrays.toString(e.getValue()) + ")");
            } else if (!Arrays.equals(t.shape(), e.getValue())) {
                problems.add("key " + e.getKey() + " has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(e.getValue()));
            } else if (!t.dtype().isFloatingPoint()) {
                problems.add("key " + e.getKey() + " has dtype " + t.dtype() + ", expected a floating type");
            }
        }
        TreeSet<String> unexpected = new TreeSet<>();
        for (String key : stateDict.keySet()) {
            if (!expected.containsKey(key) && !key.equals(CODEBOOK_USED)) {
                unexpected.add(key);
            }
        }
        if (!unexpected.isEmpty()) {
            List<String> shown = new ArrayList<>(unexpected).subList(0, Math.min(unexpected.size(), 5));
            problems.add("unexpected key(s) " + String.join(", ", shown)
                    + (unexpected.size() > 5 ? " and " + (unexpected.size() - 5) + " more" : ""));
        }
        if (!problems.isEmpty()) {
            throw new WeightMismatchException("VQ checkpoint does not match the config (ch " + config.ch()
                    + ", encoder_ch_mult " + config.encoderChMult() + ", num_res_blocks " + config.numResBlocks()
                    + ", z_channels " + config.zChannels() + ", codebook " + config.codebookSize() + " x "
                    + config.codebookEmbedDim() + "): "
                    + String.join("; ", problems.subList(0, Math.min(problems.size(), 5)))
                    + (problems.size() > 5 ? "; and " + (problems.size() - 5) + " more" : ""));
        }
        NDManager manager = NDManager.newBaseManager(device);
        Map<String, NDArray> params = new LinkedHashMap<>();
        for (String key : expected.keySet()) {
            NDArray stored = stateDict.get(key).toNDArray(manager);
            NDArray array = stored.toType(DataType.FLOAT32, false);
            if (array != stored) {
                stored.close();
            }
            array.setName(key);
            params.put(key, array);
        }
        return new VqModel(config, manager, params);
    }

    /**
     * Creates a model with PyTorch's default initialisation, as LlamaGen trains from:
     * conv weights and biases uniform in +-1/sqrt(fan_in), norms at weight 1 and bias 0,
     * and codebook rows uniform in +-1/K (then L2-normalised when codebook_l2_norm is set).
     */
    public static VqModel initialize(VqConfig config, Device device, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        NDManager manager = NDManager.newBaseManager(device);
        Map<String, NDArray> params = new LinkedHashMap<>();
        Map<String, long[]> shapes = expectedShapes(config);
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            NDArray value;
            if (name.equals(CODEBOOK)) {
                value = manager.create(uniform(random, n, 1.0 / config.codebookSize()), new Shape(shape));
                if (config.codebookL2Norm()) {
                    NDArray raw = value;
                    value = raw.normalize(2, 1, 1e-12);
                    raw.close();
                }
            } else if (shape.length == 1 && isNorm(name)) {
                value = name.endsWith(".weight") ? manager.ones(new Shape(shape))
                        : manager.zeros(new Shape(shape));
            } else {
                String weight = name.substring(0, name.lastIndexOf('.')) + ".weight";
                long[] w = shapes.get(weight);
                double bound = 1.0 / Math.sqrt((double) w[1] * w[2] * w[3]);
                value = manager.create(uniform(random, n, bound), new Shape(shape));
            }
            value.setName(name);
            params.put(name, value);
        }
        return new VqModel(config, manager, params);
    }

    private static boolean isNorm(String name) {
        String module = name.substring(0, name.lastIndexOf('.'));
        String last = module.substring(module.lastIndexOf('.') + 1);
        return last.startsWith("norm");
    }

    private static float[] uniform(SplittableRandom random, int n, double bound) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return out;
    }

    /** Copies the parameters to the host under LlamaGen's key names, in state_dict order. */
    public static Map<String, HostTensor> stateDict(VqModel model) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        model.parameters().forEach((name, array) -> out.put(name, HostTensor.fromNDArray(array)));
        return out;
    }
}

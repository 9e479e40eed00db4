package org.mutor.generator.gpt;

import org.mutor.common.config.ConfigException;
import org.mutor.common.config.YamlConfig;

import java.util.List;
import java.util.Set;

/**
 * Hyperparameters of the LlamaGen class-conditional GPT, under LlamaGen's own key
 * names. Keys left out of a YAML file take the GPT-B values.
 *
 * @param dim model width
 * @param nLayer transformer blocks
 * @param nHead query heads
 * @param nKvHead key/value heads (equal to nHead for multi-head attention)
 * @param multipleOf the FFN hidden size is rounded up to a multiple of this
 * @param ffnDimMultiplier optional factor on the FFN hidden size, or null
 * @param normEps RMSNorm epsilon
 * @param ropeBase rotary base
 * @param vocabSize image-token vocabulary (codebook size)
 * @param numClasses class count; the class table has one more row, the null class
 * @param clsTokenNum condition tokens before the image tokens
 * @param blockSize image tokens per sample, a square (256 for a 16x16 grid)
 * @param tokenDropoutP dropout on the input embeddings during training
 * @param residDropoutP dropout on each residual branch during training
 * @param ffnDropoutP dropout inside the FFN during training
 * @param classDropoutProb probability of replacing a label by the null class during training
 */
public record GptConfig(int dim, int nLayer, int nHead, int nKvHead, int multipleOf, Double ffnDimMultiplier,
                        double normEps, double ropeBase, int vocabSize, int numClasses, int clsTokenNum,
                        int blockSize, double tokenDropoutP, double residDropoutP, double ffnDropoutP,
                        double classDropoutProb) {

    /** YAML keys, as LlamaGen names them. */
    public static final Set<String> KEYS = Set.of("dim", "n_layer", "n_head", "n_kv_head", "multiple_of",
            "ffn_dim_multiplier", "norm_eps", "rope_base", "vocab_size", "num_classes", "cls_token_num",
            "block_size", "token_dropout_p", "resid_dropout_p", "ffn_dropout_p", "class_dropout_prob");

    /** Preset names bundled under configs/. */
    public static final List<String> PRESETS = List.of("gpt-b", "gpt-l", "gpt-xl", "gpt-xxl", "gpt-3b", "gpt-tiny");

    public GptConfig {
        require(dim > 0 && nLayer > 0 && nHead > 0 && nKvHead > 0, "dim, n_layer, n_head and n_kv_head must be positive");
        require(dim % nHead == 0, "dim " + dim + " must be divisible by n_head " + nHead);
        require(nHead % nKvHead == 0, "n_head " + nHead + " must be a multiple of n_kv_head " + nKvHead);
        require((dim / nHead) % 4 == 0, "head dim " + dim / nHead + " must be divisible by 4 for the 2D rotary table");
        require(vocabSize > 0 && numClasses > 0, "vocab_size and num_classes must be positive");
        require(clsTokenNum == 1, "cls_token_num " + clsTokenNum + " is not supported; class-conditional models use 1");
        int grid = (int) Math.round(Math.sqrt(blockSize));
        require(grid * grid == blockSize, "block_size " + blockSize + " must be a square number of image tokens");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new ConfigException(message);
        }
    }

    /** GPT-B: 12 layers, 12 heads, width 768, 110,888,448 parameters. */
    public static GptConfig gptB() {
        return new GptConfig(768, 12, 12, 12, 256, null, 1e-5, 10000, 16384, 1000, 1, 256, 0.1, 0.1, 0.1, 0.1);
    }

    /** Reads a config: GPT-B values overridden by the keys present. */
    public static GptConfig fromYaml(YamlConfig yaml) {
        yaml.requireKnownKeys(KEYS);
        GptConfig b = gptB();
        int nHead = yaml.getInt("n_head", b.nHead);
        return new GptConfig(
                yaml.getInt("dim", b.dim),
                yaml.getInt("n_layer", b.nLayer),
                nHead,
                yaml.getInt("n_kv_head", nHead),
                yaml.getInt("multiple_of", b.multipleOf),
                yaml.getOptionalDouble("ffn_dim_multiplier"),
                yaml.getDouble("norm_eps", b.normEps),
                yaml.getDouble("rope_base", b.ropeBase),
                yaml.getInt("vocab_size", b.vocabSize),
                yaml.getInt("num_classes", b.numClasses),
                yaml.getInt("cls_token_num", b.clsTokenNum),
                yaml.getInt("block_size", b.blockSize),
                yaml.getDouble("token_dropout_p", b.tokenDropoutP),
                yaml.getDouble("resid_dropout_p", b.residDropoutP),
                yaml.getDouble("ffn_dropout_p", b.ffnDropoutP),
                yaml.getDouble("class_dropout_prob", b.classDropoutProb));
    }

    /** Reads a bundled preset by name (see {@link #PRESETS}). */
    public static GptConfig preset(String name) {
        return fromYaml(YamlConfig.preset(name, PRESETS).subset(KEYS));
    }

    public int headDim() {
        return dim / nHead;
    }

    /** Side of the square token grid: 16 for 256 tokens. */
    public int gridSize() {
        return (int) Math.round(Math.sqrt(blockSize));
    }

    /** FFN hidden size: 2/3 of 4 * dim, times the optional multiplier, rounded up to multiple_of. */
    public int ffnHidden() {
        int hidden = 2 * (4 * dim) / 3;
        if (ffnDimMultiplier != null) {
            hidden = (int) (ffnDimMultiplier * hidden);
        }
        return (hidden + multipleOf - 1) / multipleOf * multipleOf;
    }

    /** Rows of the wqkv projection: queries, then keys and values for the key/value heads. */
    public int qkvRows() {
        return (nHead + 2 * nKvHead) * headDim();
    }

    /** Parameter count (the rotary table is not a parameter). */
    public long parameterCount() {
        long perLayer = (long) qkvRows() * dim + (long) dim * dim + 3L * ffnHidden() * dim + 2L * dim;
        return (long) (numClasses + 1) * dim + (long) vocabSize * dim + nLayer * perLayer + dim + (long) vocabSize * dim;
    }
}

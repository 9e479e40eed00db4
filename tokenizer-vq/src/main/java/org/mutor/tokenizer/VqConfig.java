package org.mutor.tokenizer;

import org.mutor.common.config.ConfigException;
import org.mutor.common.config.YamlConfig;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Hyperparameters of the LlamaGen VQ image tokenizer, under LlamaGen's own key names
 * (plus {@code ch} and {@code num_res_blocks}, which upstream fixes at 128 and 2).
 * Keys left out of a YAML file take the VQ-16 values.
 *
 * <p>Level l of the encoder has {@code ch * encoder_ch_mult[l]} channels and
 * {@code num_res_blocks} residual blocks; a downsample follows every level but the
 * last, so the grid is the image size divided by 2^(levels - 1). The decoder runs
 * its levels from the lowest resolution up, with {@code num_res_blocks + 1} blocks each.
 *
 * @param codebookSize codebook rows (the code vocabulary)
 * @param codebookEmbedDim width of a codebook row
 * @param codebookL2Norm cosine search over L2-normalised vectors (true in every LlamaGen preset)
 * @param commitLossBeta weight of the commitment loss
 * @param encoderChMult channel multiplier per encoder level, highest resolution first
 * @param decoderChMult channel multiplier per level, highest resolution first (the decoder runs them reversed)
 * @param zChannels encoder output and decoder input channels
 * @param ch base channel count
 * @param numResBlocks residual blocks per encoder level (the decoder has one more)
 * @param dropoutP dropout inside residual blocks during training
 */
public record VqConfig(int codebookSize, int codebookEmbedDim, boolean codebookL2Norm, double commitLossBeta,
                       List<Integer> encoderChMult, List<Integer> decoderChMult, int zChannels, int ch,
                       int numResBlocks, double dropoutP) {

    /** GroupNorm group count: every normalised channel count must be a multiple of it. */
    public static final int NORM_GROUPS = 32;

    /** YAML keys, as LlamaGen names them. */
    public static final Set<String> KEYS = Set.of("codebook_size", "codebook_embed_dim", "codebook_l2_norm",
            "commit_loss_beta", "encoder_ch_mult", "decoder_ch_mult", "z_channels", "ch", "num_res_blocks",
            "dropout_p");

    /** Preset names bundled under configs/. */
    public static final List<String> PRESETS = List.of("vq-16", "vq-8", "vq-tiny", "vq-fmnist");

    public VqConfig {
        encoderChMult = List.copyOf(encoderChMult);
        decoderChMult = List.copyOf(decoderChMult);
        require(codebookSize > 0 && codebookEmbedDim > 0,
                "codebook_size " + codebookSize + " and codebook_embed_dim " + codebookEmbedDim + " must be positive");
        require(zChannels > 0 && ch > 0 && numResBlocks > 0,
                "z_channels, ch and num_res_blocks must be positive (got " + zChannels + ", " + ch + ", "
                        + numResBlocks + ")");
        require(!encoderChMult.isEmpty() && encoderChMult.size() == decoderChMult.size(),
                "encoder_ch_mult " + encoderChMult + " and decoder_ch_mult " + decoderChMult
                        + " must be non-empty and of equal length (one entry per resolution)");
        require(dropoutP >= 0 && dropoutP < 1, "dropout_p " + dropoutP + " must be in [0, 1)");
        requireGroupable("ch", ch);
        for (int m : encoderChMult) {
            requireGroupable("ch * encoder_ch_mult entry " + m, ch * m);
        }
        for (int m : decoderChMult) {
            requireGroupable("ch * decoder_ch_mult entry " + m, ch * m);
        }
    }

    private static void requireGroupable(String what, int channels) {
        require(channels > 0 && channels % NORM_GROUPS == 0,
                what + " = " + channels + " channels must be a positive multiple of " + NORM_GROUPS
                        + " for GroupNorm with " + NORM_GROUPS + " groups");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new ConfigException(message);
        }
    }

    /** VQ-16: 16x downsampling, codebook 16384 x 8, 71,883,403 parameters. */
    public static VqConfig vq16() {
        List<Integer> mult = List.of(1, 1, 2, 2, 4);
        return new VqConfig(16384, 8, true, 0.25, mult, mult, 256, 128, 2, 0.0);
    }

    /** Reads a config: VQ-16 values overridden by the keys present. */
    public static VqConfig fromYaml(YamlConfig yaml) {
        yaml.requireKnownKeys(KEYS);
        VqConfig d = vq16();
        return new VqConfig(
                yaml.getInt("codebook_size", d.codebookSize),
                yaml.getInt("codebook_embed_dim", d.codebookEmbedDim),
                yaml.getBoolean("codebook_l2_norm", d.codebookL2Norm),
                yaml.getDouble("commit_loss_beta", d.commitLossBeta),
                boxed(yaml.getIntList("encoder_ch_mult", unboxed(d.encoderChMult))),
                boxed(yaml.getIntList("decoder_ch_mult", unboxed(d.decoderChMult))),
                yaml.getInt("z_channels", d.zChannels),
                yaml.getInt("ch", d.ch),
                yaml.getInt("num_res_blocks", d.numResBlocks),
                yaml.getDouble("dropout_p", d.dropoutP));
    }

    /** Reads a bundled preset by name (see {@link #PRESETS}). */
    public static VqConfig preset(String name) {
        return fromYaml(YamlConfig.preset(name, PRESETS).subset(KEYS));
    }

    private static List<Integer> boxed(int[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    private static int[] unboxed(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Number of resolutions (levels). */
    public int levels() {
        return encoderChMult.size();
    }

    /** Image side divided by grid side: 2^(levels - 1), 16 for VQ-16. */
    public int downsampleFactor() {
        return 1 << (levels() - 1);
    }

    /** Channels of encoder level l. */
    public int encoderChannels(int level) {
        return ch * encoderChMult.get(level);
    }

    /**
     * Channels of decoder block {@code i}, counted in the decoder's running order
     * (block 0 is the lowest resolution and uses the last multiplier).
     */
    public int decoderChannels(int i) {
        return ch * decoderChMult.get(levels() - 1 - i);
    }

    /** Parameter count (the codebook usage buffer is not a parameter). */
    public long parameterCount() {
        return VqWeights.expectedShapes(this).values().stream()
                .mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
    }
}

package org.mutor.cli;

import ai.djl.Device;

import org.mutor.common.config.YamlConfig;
import org.mutor.generator.gpt.GptConfig;
import org.mutor.generator.gpt.GptLoader;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.gpt.GptWeights;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** Options that select a GPT checkpoint and its config. */
public final class GptOptions {

    @Option(names = "--gpt", paramLabel = "CKPT",
            description = "GPT checkpoint: an official LlamaGen .pt file or a mutor .safetensors checkpoint.")
    Path gpt;

    @Option(names = "--gpt-config", paramLabel = "YAML",
            description = "GPT config with LlamaGen's keys (dim, n_layer, n_head, ...); keys left out take GPT-B values.")
    Path gptConfig;

    @Option(names = "--gpt-preset", paramLabel = "NAME",
            description = "GPT preset: gpt-b, gpt-l, gpt-xl, gpt-xxl, gpt-3b or gpt-tiny. "
                    + "Without --gpt-config or --gpt-preset the config is read from the checkpoint.")
    String gptPreset;

    @Option(names = "--image-size", paramLabel = "PX", defaultValue = "0",
            description = "Image size the GPT was trained for (256 or 384), which sets its token grid when the "
                    + "config is inferred; 0 reads it from the checkpoint (default 256).")
    int imageSize;

    @Option(names = "--downsample", paramLabel = "F", defaultValue = "16",
            description = "Tokenizer downsampling factor used with --image-size. Default: ${DEFAULT-VALUE}.")
    int downsample;

    @Option(names = "--ema", description = "Load the EMA weights of the checkpoint instead of the model weights.")
    boolean ema;

    /** Returns the explicit config, or null when it is to be read from the checkpoint. */
    GptConfig explicitConfig() {
        if (gptConfig != null && gptPreset != null) {
            throw new IllegalArgumentException("give --gpt-config or --gpt-preset, not both");
        }
        if (gptConfig != null) {
            return GptConfig.fromYaml(YamlConfig.load(gptConfig).subset(GptConfig.KEYS));
        }
        return gptPreset != null ? GptConfig.preset(gptPreset) : null;
    }

    /** Loads the GPT for inference: a stored register embedding is skipped on purpose. */
    GptModel load(Device device) throws IOException {
        GptLoader.Request request = new GptLoader.Request(explicitConfig(), imageSize, downsample, ema,
                GptWeights.RegisterPolicy.SKIP);
        return GptLoader.load(gpt, request, device);
    }
}

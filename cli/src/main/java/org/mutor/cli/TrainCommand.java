package org.mutor.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import org.mutor.common.config.YamlConfig;
import org.mutor.common.image.ImageBatches;
import org.mutor.common.image.ImageGrid;
import org.mutor.common.image.RgbImage;
import org.mutor.generator.train.GptTrainer;
import org.mutor.generator.train.SampleSink;
import org.mutor.generator.train.TrainConfig;
import org.mutor.generator.train.TrainListener;
import org.mutor.generator.train.TrainResult;
import org.mutor.tokenizer.VqModel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mutor train}: GPT training with next-token prediction, MuToR-1D or MuToR-2D registers. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train a LlamaGen-style GPT on code shards written by 'mutor tokenizer extract-codes'.",
            "Methods: ntp (next-token prediction), mutor-1d (registers over the raster sequence), mutor-2d "
                    + "(registers predicting 2D offsets). Every YAML key can be overridden with --set KEY=VALUE.",
            "Writes OUT/model.safetensors (loads in 'mutor generate --gpt'), OUT/train-state.safetensors (for "
                    + "--resume), OUT/metrics.csv with OUT/loss.png, and sampled codes (and grids with --vq)."
        })
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "YAML",
            description = "Training config, for example configs/fmnist-mutor2d.yaml.")
    Path config;

    @Option(names = "--method", paramLabel = "ntp|mutor-1d|mutor-2d", description = "Overrides the config's method.")
    String method;

    @Option(names = "--max-steps", paramLabel = "N", description = "Overrides max_steps.")
    Long maxSteps;

    @Option(names = "--out", paramLabel = "DIR", description = "Overrides the output folder.")
    Path out;

    @Option(names = "--codes", paramLabel = "DIR", description = "Overrides the training code shards.")
    Path codes;

    @Option(names = "--val-codes", paramLabel = "DIR", description = "Overrides the validation code shards.")
    Path valCodes;

    @Option(names = "--resume", description = "Continue from OUT/train-state.safetensors; the run continues exactly "
            + "as an uninterrupted one would.")
    boolean resume;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Overrides any config key, for example "
            + "--set lr=2e-4 --set seed=1. Repeatable.")
    List<String> sets;

    @Option(names = "--vq", paramLabel = "CKPT", description = "Tokenizer used to decode sample grids to PNG.")
    Path vq;

    @Option(names = "--vq-preset", paramLabel = "NAME", description = "Preset of the --vq tokenizer, when its "
            + "checkpoint does not carry its config.")
    String vqPreset;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> overrides = new LinkedHashMap<>();
        if (sets != null) {
            for (String entry : sets) {
                int eq = entry.indexOf('=');
                if (eq <= 0) {
                    throw new ParameterException(spec.commandLine(), "invalid --set '" + entry + "'; use KEY=VALUE");
                }
                overrides.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
            }
        }
        putIfSet(overrides, "method", method);
        putIfSet(overrides, "max_steps", maxSteps);
        putIfSet(overrides, "out", out);
        putIfSet(overrides, "codes", codes);
        putIfSet(overrides, "val_codes", valCodes);
        if (resume) {
            overrides.put("resume", "true");
        }
        TrainConfig trainConfig = TrainConfig.fromYaml(YamlConfig.load(config), overrides);
        Device device = common.startEngine();
        PrintWriter stdout = spec.commandLine().getOut();
        VqModel tokenizer = vq != null
                ? VqOptions.load(vq, vqPreset != null ? org.mutor.tokenizer.VqConfig.preset(vqPreset) : null, false, device)
                : null;
        try (VqModel closing = tokenizer) {
            TrainResult result = GptTrainer.run(trainConfig, new TrainListener() { }, gridSink(tokenizer, trainConfig));
            stdout.printf(Locale.ROOT, "trained %d steps: last loss %.4f, validation NLL %.4f nats per token, "
                    + "%.0f image tokens/s%n", result.steps(), result.lastLoss(), result.lastValNll(),
                    result.tokensPerSecond());
            stdout.println("model: " + result.model() + "; metrics: " + result.metrics());
        }
        stdout.flush();
        return ExitCodes.OK;
    }

    private static void putIfSet(Map<String, Object> overrides, String key, Object value) {
        if (value != null) {
            overrides.put(key, value.toString());
        }
    }

    /** Decodes sampled codes to an image grid beside the .npy the trainer writes; no-op without a tokenizer. */
    private static SampleSink gridSink(VqModel tokenizer, TrainConfig config) {
        if (tokenizer == null) {
            return (step, labels, codes, h, w) -> { };
        }
        return (step, labels, codes, h, w) -> {
            long[] flat = new long[codes.length * h * w];
            for (int i = 0; i < codes.length; i++) {
                System.arraycopy(codes[i], 0, flat, i * h * w, h * w);
            }
            List<RgbImage> images;
            try (NDManager m = tokenizer.manager().newSubManager(); NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray decoded = tokenizer.decode(m.create(flat, new Shape(codes.length, h, w)));
                images = ImageBatches.fromBatch(decoded);
            }
            int columns = (int) Math.ceil(Math.sqrt(images.size()));
            ImageGrid.write(config.out().resolve("samples").resolve(String.format("step-%07d.png", step)), images,
                    columns, ImageGrid.DEFAULT_PADDING);
        };
    }
}

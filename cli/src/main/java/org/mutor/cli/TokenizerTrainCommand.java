package org.mutor.cli;

import ai.djl.Device;

import org.mutor.common.config.YamlConfig;
import org.mutor.tokenizer.train.VqTrainConfig;
import org.mutor.tokenizer.train.VqTrainer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mutor tokenizer train}: trains the VQ tokenizer from a YAML config. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train the VQ tokenizer: reconstruction + codebook + commitment losses, optionally LPIPS-VGG "
                    + "(perceptual_weight, lpips_vgg, lpips_lin) and PatchGAN hinge (disc_weight, disc_start, disc_lr), "
                    + "Adam, clipping, exact resume.",
            "The YAML holds the tokenizer keys (or vq_preset) and the training keys (dataset, image_size, "
                    + "batch_size, lr, betas, grad_clip, max_steps, ...). Flags override YAML keys.",
            "Writes OUT/vq.safetensors (for --vq), OUT/train-state.safetensors, OUT/metrics.csv with PNG "
                    + "curves, and OUT/grids/step-N.png (held-out originals above reconstructions)."
        })
final class TokenizerTrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "YAML", description = "Training config.")
    Path config;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (YAML key out).")
    Path out;

    @Option(names = "--max-steps", paramLabel = "N", description = "Optimizer steps (YAML key max_steps).")
    Long maxSteps;

    @Option(names = "--resume", description = "Continue from OUT/train-state.safetensors when it exists.")
    boolean resume;

    @Option(names = "--dataset", paramLabel = "fmnist|DIR", description = "Training images (YAML key dataset).")
    String dataset;

    @Option(names = "--batch-size", paramLabel = "B", description = "Images per step (YAML key batch_size).")
    Integer batchSize;

    @Option(names = "--lr", paramLabel = "LR", description = "Learning rate (YAML key lr).")
    Double lr;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override any YAML key, for example --set eval_every=100; repeatable.")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--no-progress", description = "No progress line.")
    boolean noProgress;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> overrides = new LinkedHashMap<>(set);
        putIf(overrides, "out", out == null ? null : out.toString());
        putIf(overrides, "max_steps", maxSteps);
        putIf(overrides, "dataset", dataset);
        putIf(overrides, "batch_size", batchSize);
        putIf(overrides, "lr", lr);
        putIf(overrides, "seed", common.seed == 0 ? null : common.seed);
        if (resume) {
            overrides.put("resume", true);
        }
        if (noProgress) {
            overrides.put("progress", false);
        }
        VqTrainConfig c = VqTrainConfig.fromYaml(YamlConfig.load(config), overrides);
        Device device = common.startEngine();
        PrintWriter printer = spec.commandLine().getOut();
        VqTrainer.Result r = VqTrainer.run(c, device, line -> {
            printer.println(line);
            printer.flush();
        });
        printer.printf(Locale.ROOT, "trained to step %d in %.0f s: loss %.4f, held-out PSNR %.2f dB, codebook usage "
                + "%.1f%%; tokenizer checkpoint %s%n", r.steps(), r.seconds(), r.loss(), r.psnr(), 100 * r.usage(),
                r.checkpoint());
        return ExitCodes.OK;
    }

    private static void putIf(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}

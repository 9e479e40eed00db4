package org.mutor.generator.train;

import org.mutor.common.config.ConfigException;
import org.mutor.common.config.YamlConfig;
import org.mutor.common.train.LrSchedule;
import org.mutor.generator.gpt.GptConfig;
import org.mutor.mutor2d.RegisterMode;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of one GPT training run, read from YAML (see configs/train-*.yaml).
 *
 * @param method training objective
 * @param alpha weight a of the register loss in {@code (1 - a) L_ntp + a L_reg}
 * @param dMax largest 1D offset d for MuToR-1D
 * @param dMax2d largest 2D offset component for MuToR-2D
 * @param registers full (one register per valid place) or sparse
 * @param numRegisters registers per sample in sparse mode
 * @param model GPT hyperparameters
 * @param lr peak learning rate
 * @param lrSchedule "constant" or "cosine" (linear warm-up, then half a cosine down to minLr)
 * @param warmupSteps linear warm-up steps of the cosine schedule
 * @param minLr final learning rate of the cosine schedule
 * @param weightDecay AdamW decay on parameters of two or more dimensions only
 * @param beta1 AdamW first-moment decay
 * @param beta2 AdamW second-moment decay
 * @param gradClip global gradient-norm threshold, 0 for none
 * @param batchSize samples per optimizer step, split into gradAccum equal micro-batches
 * @param gradAccum micro-batches per optimizer step
 * @param ema EMA decay, 0 for none
 * @param maxSteps optimizer steps of the whole run
 * @param ckptEvery steps between checkpoints (a checkpoint is also written at the end)
 * @param logEvery steps between metric rows
 * @param sampleEvery steps between sample grids, 0 for none
 * @param sampleCount samples per grid, classes 0, 1, 2, ... in turn
 * @param valEvery steps between validation passes, 0 for none
 * @param valFraction share of the training codes held out for validation when valCodes is null
 * @param valMaxSamples cap on validation samples per pass, 0 for all
 * @param seed run seed: data order, class dropout, views, register plans and engine dropout derive from it
 * @param codes code shard folder (see org.mutor.common.data.CodeShards)
 * @param valCodes separate validation shard folder, or null
 * @param out output folder
 * @param resume continue from out/train-state.safetensors when it exists
 * @param progress show a progress line with ETA on standard error
 */
public record TrainConfig(Method method, double alpha, int dMax, int dMax2d, RegisterMode registers, int numRegisters,
                          GptConfig model, double lr, String lrSchedule, long warmupSteps, double minLr,
                          double weightDecay, double beta1, double beta2, double gradClip, int batchSize,
                          int gradAccum, double ema, long maxSteps, long ckptEvery, long logEvery, long sampleEvery,
                          int sampleCount, long valEvery, double valFraction, int valMaxSamples, long seed,
                          Path codes, Path valCodes, Path out, boolean resume, boolean progress) {

    /** Training keys; model keys are those of {@link GptConfig#KEYS} plus gpt_preset. */
    public static final Set<String> KEYS = Set.of("method", "alpha", "d_max", "d_max_2d", "registers",
            "num_registers", "gpt_preset", "lr", "lr_schedule", "warmup_steps", "min_lr", "weight_decay", "betas",
            "grad_clip", "batch_size", "grad_accum", "ema", "max_steps", "ckpt_every", "log_every", "sample_every",
            "sample_count", "val_every", "val_fraction", "val_max_samples", "seed", "codes", "val_codes", "out",
            "resume", "progress");

    public TrainConfig {
        require(alpha >= 0 && alpha <= 1, "alpha " + alpha + " must be in [0, 1]");
        require(dMax >= 1 && dMax2d >= 2, "d_max " + dMax + " must be >= 1 and d_max_2d " + dMax2d
                + " >= 2 (the offset (1, 1) is excluded)");
        require(registers == RegisterMode.FULL || registers == RegisterMode.SPARSE,
                "registers must be full or sparse, not " + registers);
        require(registers != RegisterMode.SPARSE || numRegisters >= 1,
                "num_registers " + numRegisters + " must be at least 1 for sparse registers");
        require(lr > 0 && minLr >= 0, "lr " + lr + " must be positive and min_lr " + minLr + " non-negative");
        require(lrSchedule.equals("constant") || lrSchedule.equals("cosine"),
                "invalid lr_schedule '" + lrSchedule + "'; use constant or cosine");
        require(batchSize >= 1 && gradAccum >= 1 && batchSize % gradAccum == 0,
                "batch_size " + batchSize + " must be a positive multiple of grad_accum " + gradAccum);
        require(ema >= 0 && ema < 1, "ema " + ema + " must be in [0, 1); 0 turns it off");
        require(maxSteps >= 1 && ckptEvery >= 1 && logEvery >= 1, "max_steps, ckpt_every and log_every must be positive");
        require(sampleEvery >= 0 && valEvery >= 0 && sampleCount >= 1 && valMaxSamples >= 0,
                "sample_every, val_every and val_max_samples must be >= 0 and sample_count >= 1");
        require(valFraction >= 0 && valFraction < 1, "val_fraction " + valFraction + " must be in [0, 1)");
        require(codes != null && out != null, "codes and out are required");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new ConfigException(message);
        }
    }

    /** Reads a config; see {@link #fromYaml(YamlConfig, Map)}. */
    public static TrainConfig fromYaml(YamlConfig yaml) {
        return fromYaml(yaml, Map.of());
    }

    /**
     * Reads a config, with command-line flags given as key/value pairs that replace YAML values
     * (for example {@code max_steps -> "100"}). The model comes from gpt_preset (default gpt-b)
     * with any GPT keys present overriding it.
     */
    public static TrainConfig fromYaml(YamlConfig yaml, Map<String, ?> overrides) {
        YamlConfig y = yaml.withOverrides(YamlConfig.of("flags", overrides));
        Set<String> known = new HashSet<>(KEYS);
        known.addAll(GptConfig.KEYS);
        y.requireKnownKeys(known);
        String preset = y.getString("gpt_preset", "gpt-b");
        GptConfig model = GptConfig.fromYaml(YamlConfig.preset(preset, GptConfig.PRESETS).subset(GptConfig.KEYS)
                .withOverrides(y.subset(GptConfig.KEYS)));
        double[] betas = betas(y);
        String valCodes = y.getString("val_codes", null);
        return new TrainConfig(
                Method.parse(y.getString("method", "ntp")),
                y.getDouble("alpha", 0.5),
                y.getInt("d_max", 4),
                y.getInt("d_max_2d", 4),
                registerMode(y.getString("registers", "full")),
                y.getInt("num_registers", 80),
                model,
                y.getDouble("lr", 4e-4),
                y.getString("lr_schedule", "constant"),
                y.getLong("warmup_steps", 0),
                y.getDouble("min_lr", 0),
                y.getDouble("weight_decay", 0.05),
                betas[0],
                betas[1],
                y.getDouble("grad_clip", 1.0),
                y.getInt("batch_size", 256),
                y.getInt("grad_accum", 1),
                y.getDouble("ema", 0),
                y.getLong("max_steps", 1000),
                y.getLong("ckpt_every", 1000),
                y.getLong("log_every", 10),
                y.getLong("sample_every", 0),
                y.getInt("sample_count", 8),
                y.getLong("val_every", 0),
                y.getDouble("val_fraction", 0),
                y.getInt("val_max_samples", 0),
                y.getLong("seed", 0),
                Path.of(y.getString("codes", "")),
                valCodes == null ? null : Path.of(valCodes),
                Path.of(y.getString("out", "")),
                y.getBoolean("resume", false),
                y.getBoolean("progress", true));
    }

    private static RegisterMode registerMode(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "full" -> RegisterMode.FULL;
            case "sparse" -> RegisterMode.SPARSE;
            default -> throw new ConfigException("invalid registers '" + text + "'; use full or sparse");
        };
    }

    private static double[] betas(YamlConfig y) {
        Object value = y.asMap().get("betas");
        if (value == null) {
            return new double[] {0.9, 0.95};
        }
        if (value instanceof List<?> list && list.size() == 2
                && list.get(0) instanceof Number b1 && list.get(1) instanceof Number b2) {
            return new double[] {b1.doubleValue(), b2.doubleValue()};
        }
        throw new ConfigException("invalid betas " + value + "; write two numbers, for example [0.9, 0.95]");
    }

    /** Samples per micro-batch. */
    public int microBatch() {
        return batchSize / gradAccum;
    }

    /** Learning rate per optimizer step; a warm-up longer than the run (a short smoke run) is cut to the run. */
    public LrSchedule schedule() {
        return lrSchedule.equals("constant") ? LrSchedule.constant(lr)
                : LrSchedule.warmupCosine(lr, Math.min(warmupSteps, maxSteps), maxSteps, minLr);
    }

    /** Returns a copy with other paths and step count, for tests and the command line. */
    public TrainConfig withRun(Path newCodes, Path newOut, long newMaxSteps, boolean newResume) {
        return new TrainConfig(method, alpha, dMax, dMax2d, registers, numRegisters, model, lr, lrSchedule,
                warmupSteps, minLr, weightDecay, beta1, beta2, gradClip, batchSize, gradAccum, ema, newMaxSteps,
                ckptEvery, logEvery, sampleEvery, sampleCount, valEvery, valFraction, valMaxSamples, seed, newCodes,
                valCodes, newOut, newResume, progress);
    }
}

package org.mutor.tokenizer.train;

import org.mutor.common.config.ConfigException;
import org.mutor.common.config.YamlConfig;
import org.mutor.tokenizer.VqConfig;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Settings of one VQ tokenizer training run, read from YAML: the tokenizer keys of
 * {@link VqConfig#KEYS} (or {@code vq_preset} with keys overriding it) plus the keys below.
 *
 * @param model tokenizer hyperparameters
 * @param dataset "fmnist" (the training split), or an image folder in the ImageNet layout
 * @param evalDataset held-out images: "fmnist:test", or a folder; null holds out evalImages of the folder
 * @param evalImages held-out images used for PSNR and codebook usage, 0 to skip evaluation
 * @param imageSize side of the square training images (32 for Fashion-MNIST)
 * @param batchSize images per optimizer step
 * @param lr learning rate, constant (LlamaGen trains at 1e-4)
 * @param beta1 Adam first-moment decay
 * @param beta2 Adam second-moment decay
 * @param weightDecay decoupled weight decay (0 in LlamaGen, which makes this plain Adam)
 * @param gradClip global gradient-norm threshold, 0 for none
 * @param reconLoss "l2" or "l1"
 * @param reconWeight weight of the reconstruction loss
 * @param codebookWeight weight of the codebook loss
 * @param perceptualWeight weight of the LPIPS-VGG loss (LlamaGen: 1.0), 0 for none
 * @param lpipsVgg torchvision's VGG16 state dict, null without the perceptual loss
 * @param lpipsLin the lpips package's vgg.pth heads, null without the perceptual loss
 * @param discWeight weight of the PatchGAN hinge losses (LlamaGen: 0.5), 0 for none
 * @param discStart first step (0-based) with the adversarial loss and discriminator updates (LlamaGen: 20,000)
 * @param discLr learning rate of the discriminator's AdamW, which uses the generator's betas as LlamaGen does
 * @param ema EMA decay of the weights, 0 for none
 * @param codebookRestartEvery steps between restarts of the codebook rows that no training code
 *     selected since the last restart (each gets an encoder vector of the latest batch), 0 for none
 * @param randomCrop random crops from a 1.1x ADM-resized image instead of the centre crop (folders only)
 * @param randomFlip horizontal flips with probability 1/2
 * @param maxSteps optimizer steps of the whole run
 * @param ckptEvery steps between checkpoints (one is also written at the end)
 * @param logEvery steps between metric rows
 * @param evalEvery steps between held-out evaluations (one also runs at the end)
 * @param gridEvery steps between reconstruction grids, 0 for none
 * @param seed run seed: initialisation, data order and augmentation derive from it
 * @param out output folder
 * @param resume continue from out/train-state.safetensors when it exists
 * @param progress show a progress line with ETA on standard error
 */
public record VqTrainConfig(VqConfig model, String dataset, String evalDataset, int evalImages, int imageSize,
                            int batchSize, double lr, double beta1, double beta2, double weightDecay,
                            double gradClip, String reconLoss, double reconWeight, double codebookWeight,
                            double perceptualWeight, Path lpipsVgg, Path lpipsLin, double discWeight,
                            long discStart, double discLr,
                            double ema, int codebookRestartEvery, boolean randomCrop, boolean randomFlip, long maxSteps, long ckptEvery,
                            long logEvery, long evalEvery, long gridEvery, long seed, Path out, boolean resume,
                            boolean progress) {

    /** Training keys; tokenizer keys are those of {@link VqConfig#KEYS} plus vq_preset. */
    public static final Set<String> KEYS = Set.of("vq_preset", "dataset", "eval_dataset", "eval_images",
            "image_size", "batch_size", "lr", "betas", "weight_decay", "grad_clip", "recon_loss", "recon_weight",
            "codebook_weight", "perceptual_weight", "lpips_vgg", "lpips_lin", "disc_weight", "disc_start", "disc_lr",
            "ema", "codebook_restart_every", "random_crop", "random_flip", "max_steps", "ckpt_every", "log_every", "eval_every",
            "grid_every", "seed", "out", "resume", "progress");

    public VqTrainConfig {
        require(dataset != null && !dataset.isBlank(), "dataset is required: fmnist or an image folder");
        require(out != null, "out is required");
        require(imageSize > 0 && imageSize % model.downsampleFactor() == 0, "image_size " + imageSize
                + " must be a positive multiple of the downsampling factor " + model.downsampleFactor());
        require(batchSize >= 1 && evalImages >= 0, "batch_size " + batchSize + " must be positive and eval_images "
                + evalImages + " non-negative");
        require(lr > 0 && weightDecay >= 0 && gradClip >= 0, "lr " + lr + " must be positive, weight_decay "
                + weightDecay + " and grad_clip " + gradClip + " non-negative");
        require(reconLoss.equals("l1") || reconLoss.equals("l2"), "invalid recon_loss '" + reconLoss
                + "'; use l2 or l1");
        require(reconWeight >= 0 && codebookWeight >= 0, "recon_weight and codebook_weight must be >= 0");
        require(perceptualWeight >= 0 && discWeight >= 0 && discStart >= 0 && discLr > 0,
                "perceptual_weight, disc_weight and disc_start must be >= 0 and disc_lr positive");
        require(perceptualWeight == 0 || (lpipsVgg != null && lpipsLin != null), "perceptual_weight "
                + perceptualWeight + " needs lpips_vgg (torchvision vgg16 state dict) and lpips_lin (lpips vgg.pth)");
        require(ema >= 0 && ema < 1, "ema " + ema + " must be in [0, 1); 0 turns it off");
        require(maxSteps >= 1 && ckptEvery >= 1 && logEvery >= 1 && evalEvery >= 0 && gridEvery >= 0,
                "max_steps, ckpt_every and log_every must be positive, eval_every and grid_every >= 0");
        require(codebookRestartEvery >= 0 && (codebookRestartEvery == 0 || ckptEvery % codebookRestartEvery == 0),
                "codebook_restart_every " + codebookRestartEvery + " must be >= 0 and divide ckpt_every " + ckptEvery
                        + ", so that a resume starts at a restart boundary");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new ConfigException(message);
        }
    }

    /** Returns whether the training set is Fashion-MNIST. */
    public boolean fashionMnist() {
        return dataset.equals("fmnist") || dataset.equals("fmnist:train");
    }

    /**
     * Reads a config, with command-line flags given as key/value pairs that replace YAML
     * values. The tokenizer comes from vq_preset (default vq-16) with any tokenizer keys
     * present overriding it.
     *
     * @throws ConfigException for unknown keys or bad values
     */
    public static VqTrainConfig fromYaml(YamlConfig yaml, Map<String, ?> overrides) {
        YamlConfig y = yaml.withOverrides(YamlConfig.of("flags", overrides));
        Set<String> known = new HashSet<>(KEYS);
        known.addAll(VqConfig.KEYS);
        y.requireKnownKeys(known);
        YamlConfig base = y.has("vq_preset")
                ? YamlConfig.preset(y.getString("vq_preset", "vq-16"), VqConfig.PRESETS).subset(VqConfig.KEYS)
                : YamlConfig.empty("defaults");
        VqConfig model = VqConfig.fromYaml(base.withOverrides(y.subset(VqConfig.KEYS)));
        String dataset = y.getString("dataset", null);
        boolean fmnist = "fmnist".equals(dataset) || "fmnist:train".equals(dataset);
        double[] betas = betas(y);
        return new VqTrainConfig(model, dataset, y.getString("eval_dataset", fmnist ? "fmnist:test" : null),
                y.getInt("eval_images", 1000), y.getInt("image_size", fmnist ? 32 : 256), y.getInt("batch_size", 32),
                y.getDouble("lr", 1e-4), betas[0], betas[1], y.getDouble("weight_decay", 0.0),
                y.getDouble("grad_clip", 1.0), y.getString("recon_loss", "l2").toLowerCase(Locale.ROOT),
                y.getDouble("recon_weight", 1.0), y.getDouble("codebook_weight", 1.0),
                y.getDouble("perceptual_weight", y.has("lpips_vgg") ? 1.0 : 0.0), path(y, "lpips_vgg"),
                path(y, "lpips_lin"), y.getDouble("disc_weight", 0.0), y.getLong("disc_start", 20_000),
                y.getDouble("disc_lr", y.getDouble("lr", 1e-4)), y.getDouble("ema", 0.0), y.getInt("codebook_restart_every", 0),
                y.getBoolean("random_crop", !fmnist), y.getBoolean("random_flip", !fmnist),
                y.getLong("max_steps", 1000), y.getLong("ckpt_every", 500), y.getLong("log_every", 10),
                y.getLong("eval_every", 250), y.getLong("grid_every", 500), y.getLong("seed", 0),
                Path.of(y.getString("out", "runs/vq")), y.getBoolean("resume", false),
                y.getBoolean("progress", true));
    }

    private static Path path(YamlConfig y, String key) {
        String value = y.getString(key, null);
        return value == null ? null : Path.of(value);
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

    /** Returns a copy with another output folder, step count and resume flag, for tests. */
    public VqTrainConfig withRun(Path newOut, long newMaxSteps, boolean newResume) {
        return new VqTrainConfig(model, dataset, evalDataset, evalImages, imageSize, batchSize, lr, beta1, beta2,
                weightDecay, gradClip, reconLoss, reconWeight, codebookWeight, perceptualWeight, lpipsVgg, lpipsLin,
                discWeight, discStart, discLr, ema, codebookRestartEvery, randomCrop,
                randomFlip, newMaxSteps, ckptEvery, logEvery, evalEvery, gridEvery, seed, newOut, newResume, progress);
    }
}

package org.mutor.tokenizer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.config.ConfigException;
import org.mutor.common.config.YamlConfig;
import org.mutor.common.data.FashionMnist;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.Checkpoint;
import org.mutor.common.image.ImageFiles;
import org.mutor.common.train.MetricsLog;
import org.mutor.tokenizer.VqCheckpoint;
import org.mutor.tokenizer.VqModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Trains the tiny tokenizer for a few steps on real Fashion-MNIST images. */
class VqTrainerTest {

    @BeforeAll
    static void offline() {
        EngineSetup.offline();
    }

    /** Writes the first {@code n} Fashion-MNIST training images as 32x32 PNGs in class folders. */
    static Path fmnistFolder(Path dir, int n) throws IOException {
        FashionMnist.Split split = FashionMnist.train();
        for (int i = 0; i < n; i++) {
            Path classDir = Files.createDirectories(dir.resolve("c" + split.label(i)));
            ImageFiles.write(classDir.resolve(String.format("%03d.png", i)), split.tokenizerImage(i));
        }
        return dir;
    }

    private static VqTrainConfig config(Path data, Path out, long steps, boolean resume) {
        Map<String, Object> keys = Map.ofEntries(Map.entry("vq_preset", "vq-tiny"), Map.entry("dataset",
                data.toString()), Map.entry("image_size", 32), Map.entry("eval_images", 4), Map.entry("batch_size", 4),
                Map.entry("lr", 2e-3), Map.entry("random_crop", false), Map.entry("random_flip", true),
                Map.entry("log_every", 1), Map.entry("eval_every", 0), Map.entry("grid_every", 4),
                Map.entry("ckpt_every", 3), Map.entry("codebook_restart_every", 3), Map.entry("progress", false));
        return VqTrainConfig.fromYaml(YamlConfig.of("test", keys), Map.of()).withRun(out, steps, resume);
    }

    private static double[] losses(Path out) throws IOException {
        return MetricsLog.read(out.resolve("metrics.csv")).column("loss");
    }

    @Test
    void lossFallsAndResumeRepeatsTheRun(@TempDir Path dir) throws IOException {
        Path data = fmnistFolder(dir.resolve("data"), 16);
        List<String> log = new ArrayList<>();
        VqTrainer.Result full = VqTrainer.run(config(data, dir.resolve("full"), 12, false), Device.cpu(), log::add);
        assertEquals(12, full.steps());
        assertTrue(log.stream().anyMatch(l -> l.contains("LPIPS perceptual and PatchGAN adversarial losses are off")),
                String.join("\n", log));
        double[] loss = losses(dir.resolve("full"));
        assertEquals(12, loss.length);
        double first = (loss[0] + loss[1] + loss[2]) / 3;
        double last = (loss[9] + loss[10] + loss[11]) / 3;
        assertTrue(last < 0.7 * first, "loss " + Arrays.toString(loss));
        assertTrue(full.psnr() > 5 && full.usage() > 0, "psnr " + full.psnr() + ", usage " + full.usage());
        assertTrue(Files.isRegularFile(dir.resolve("full/grids/step-0000012.png")));
        assertTrue(Files.isRegularFile(dir.resolve("full/loss.png")));
        assertTrue(log.stream().anyMatch(l -> l.contains("restarted")), String.join("\n", log));

        // Stop after 6 steps (a checkpoint at step 6), then resume to 12: the same losses.
        Path split = dir.resolve("split");
        VqTrainer.run(config(data, split, 6, false), Device.cpu(), l -> { });
        VqTrainer.run(config(data, split, 12, true), Device.cpu(), l -> { });
        assertArrayEquals(loss, losses(split));

        // The inference checkpoint loads with the config from its metadata.
        Checkpoint.Contents contents = Checkpoint.load(split.resolve("vq.safetensors"));
        assertEquals(12, contents.meta().get("step").getAsLong());
        try (VqModel model = VqCheckpoint.load(split.resolve("vq.safetensors"), null, Device.cpu())) {
            assertEquals(64, model.config().codebookSize());
        }
    }

    @Test
    void missingLossesAreRefusedByName() {
        ConfigException lpips = assertThrows(ConfigException.class, () -> VqTrainConfig.fromYaml(
                YamlConfig.of("t", Map.of("dataset", "fmnist", "perceptual_weight", 1.0)), Map.of()));
        assertTrue(lpips.getMessage().contains("LPIPS perceptual loss is not implemented"), lpips.getMessage());
        ConfigException gan = assertThrows(ConfigException.class, () -> VqTrainConfig.fromYaml(
                YamlConfig.of("t", Map.of("dataset", "fmnist", "disc_weight", 0.5)), Map.of()));
        assertTrue(gan.getMessage().contains("PatchGAN adversarial loss is not implemented"), gan.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> VqTrainConfig.fromYaml(
                YamlConfig.of("t", Map.of("dataset", "fmnist", "learning_rate", 1.0)), Map.of()));
        assertTrue(unknown.getMessage().contains("learning_rate"), unknown.getMessage());
    }
}

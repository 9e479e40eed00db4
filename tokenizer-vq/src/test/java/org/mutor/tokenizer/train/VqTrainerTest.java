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
        return config(data, out, steps, resume, Map.of());
    }

    private static VqTrainConfig config(Path data, Path out, long steps, boolean resume, Map<String, Object> extra) {
        Map<String, Object> keys = new java.util.HashMap<>(Map.ofEntries(Map.entry("vq_preset", "vq-tiny"), Map.entry("dataset",
                data.toString()), Map.entry("image_size", 32), Map.entry("eval_images", 4), Map.entry("batch_size", 4),
                Map.entry("lr", 2e-3), Map.entry("random_crop", false), Map.entry("random_flip", true),
                Map.entry("log_every", 1), Map.entry("eval_every", 0), Map.entry("grid_every", 4),
                Map.entry("ckpt_every", 3), Map.entry("codebook_restart_every", 3), Map.entry("progress", false)));
        keys.putAll(extra);
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
        assertTrue(log.stream().anyMatch(l -> l.contains("the LPIPS perceptual loss is off")
                && l.contains("the PatchGAN adversarial loss is off")),
                String.join("\n", log));
        double[] loss = losses(dir.resolve("full"));
        assertEquals(12, loss.length);
        double first = (loss[0] + loss[1] + loss[2]) / 3;
        double last = (loss[9] + loss[10] + loss[11]) / 3;
        assertTrue(last < 0.7 * first, "loss " + Arrays.toString(loss));
        assertTrue(full.psnr() > 5, "psnr " + full.psnr());
        assertTrue(full.usage() > 0, "usage " + full.usage());
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
    void perceptualWeightNeedsBothWeightFiles() {
        ConfigException lpips = assertThrows(ConfigException.class, () -> VqTrainConfig.fromYaml(
                YamlConfig.of("t", Map.of("dataset", "fmnist", "perceptual_weight", 1.0)), Map.of()));
        assertTrue(lpips.getMessage().contains("needs lpips_vgg"), lpips.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> VqTrainConfig.fromYaml(
                YamlConfig.of("t", Map.of("dataset", "fmnist", "learning_rate", 1.0)), Map.of()));
        assertTrue(unknown.getMessage().contains("learning_rate"), unknown.getMessage());
        VqTrainConfig gan = VqTrainConfig.fromYaml(YamlConfig.of("t", Map.of("dataset", "fmnist",
                "disc_weight", 0.5)), Map.of());
        assertEquals(20_000, gan.discStart());
        assertEquals(gan.lr(), gan.discLr());
    }

    /** LPIPS (narrow fixture VGG) and PatchGAN from step 2: finite losses, and a resume repeats the run. */
    @Test
    void perceptualAndAdversarialLossesTrainAndResumeExactly(@TempDir Path dir) throws Exception {
        Path data = fmnistFolder(dir.resolve("data"), 16);
        Path lpips = Path.of(VqTrainerTest.class.getResource("/lpips/vgg16-narrow.pth").toURI()).getParent();
        Map<String, Object> extra = Map.of("lpips_vgg", lpips.resolve("vgg16-narrow.pth").toString(),
                "lpips_lin", lpips.resolve("lin-narrow.pth").toString(), "disc_weight", 0.5, "disc_start", 2,
                "codebook_restart_every", 0);
        List<String> log = new ArrayList<>();
        VqTrainer.run(config(data, dir.resolve("full"), 6, false, extra), Device.cpu(), log::add);
        assertTrue(log.stream().anyMatch(l -> l.contains("1.0 x LPIPS-VGG") && l.contains("PatchGAN hinge from step 2")),
                String.join("\n", log));
        MetricsLog.Table full = MetricsLog.read(dir.resolve("full/metrics.csv"));
        double[] perceptual = full.column("perceptual_loss");
        double[] adv = full.column("gen_adv_loss");
        double[] d = full.column("disc_loss");
        for (int i = 0; i < 6; i++) {
            assertTrue(perceptual[i] > 0 && Double.isFinite(perceptual[i]), Arrays.toString(perceptual));
            assertEquals(i < 2, adv[i] == 0 && d[i] == 0, "step " + (i + 1) + ": " + adv[i] + ", " + d[i]);
            assertTrue(Double.isFinite(adv[i]), "adversarial loss at row " + i);
            assertTrue(Double.isFinite(d[i]), "discriminator loss at row " + i);
        }
        assertTrue(Files.isRegularFile(dir.resolve("full/disc-state.safetensors")));
        assertTrue(Files.isRegularFile(dir.resolve("full/gan.png")));

        VqTrainer.run(config(data, dir.resolve("split"), 3, false, extra), Device.cpu(), log::add);
        VqTrainer.run(config(data, dir.resolve("split"), 6, true, extra), Device.cpu(), log::add);
        MetricsLog.Table split = MetricsLog.read(dir.resolve("split/metrics.csv"));
        assertArrayEquals(full.column("loss"), split.column("loss"), 1e-5);
        assertArrayEquals(d, split.column("disc_loss"), 1e-5);
    }
}

package org.mutor.generator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.config.ConfigException;
import org.mutor.common.config.YamlConfig;
import org.mutor.common.format.Checkpoint;
import org.mutor.common.train.MetricsLog;
import org.mutor.generator.gpt.GptConfig;
import org.mutor.generator.gpt.GptLoader;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.gpt.GptWeights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** End-to-end runs of the trainer on tiny synthetic code folders. */
class GptTrainerTest {

    static {
        TinyTraining.config(0);
    }

    private static TrainConfig config(Path codes, Path out, String method, long steps) {
        GptConfig model = TinyTraining.config(0.1);
        Map<String, Object> yaml = new LinkedHashMap<>(GptLoader.toJson(model).entrySet().stream().collect(
                java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getAsNumber())));
        yaml.put("method", method);
        yaml.put("alpha", 0.5);
        yaml.put("d_max_2d", 3);
        yaml.put("lr", 3e-3);
        yaml.put("batch_size", 6);
        yaml.put("grad_accum", 2);
        yaml.put("ema", 0.9);
        yaml.put("ckpt_every", 20);
        yaml.put("log_every", 5);
        yaml.put("val_every", 15);
        yaml.put("val_fraction", 0.2);
        yaml.put("seed", 42);
        yaml.put("codes", codes.toString());
        yaml.put("out", out.toString());
        yaml.put("progress", false);
        return TrainConfig.fromYaml(YamlConfig.of("test", yaml), Map.of("max_steps", String.valueOf(steps)));
    }

    private static List<Double> losses(TrainConfig config) throws IOException {
        List<Double> losses = new ArrayList<>();
        GptTrainer.run(config, new TrainListener() {
            @Override
            public void onStep(StepMetrics metrics) {
                losses.add(metrics.loss());
            }
        }, null);
        return losses;
    }

    private static double trainSeconds(Path out) throws IOException {
        return Checkpoint.load(out.resolve("model.safetensors")).meta().get(GptTrainer.TRAIN_SECONDS).getAsDouble();
    }

    @Test
    void resumeRepeatsUninterruptedRun(@TempDir Path dir) throws IOException {
        Path codes = TinyTraining.shards(dir.resolve("codes"), 30, 2, 4, 16, 3, 1);
        List<Double> straight = losses(config(codes, dir.resolve("a"), "mutor-2d", 30));
        List<Double> first = losses(config(codes, dir.resolve("b"), "mutor-2d", 20));
        double firstSeconds = trainSeconds(dir.resolve("b"));
        TrainConfig resumed = config(codes, dir.resolve("b"), "mutor-2d", 30).withRun(codes, dir.resolve("b"), 30, true);
        List<Double> second = losses(resumed);
        assertEquals(30, straight.size());
        assertEquals(20, first.size());
        assertEquals(10, second.size(), "resume runs only the remaining steps");
        assertTrue(firstSeconds > 0, "wall time recorded: " + firstSeconds);
        assertTrue(trainSeconds(dir.resolve("b")) > firstSeconds, "wall time adds up over the resumed session");
        for (int i = 0; i < 20; i++) {
            assertEquals(straight.get(i), first.get(i), 1e-6 * straight.get(i), "step " + (i + 1));
        }
        for (int i = 0; i < 10; i++) {
            double want = straight.get(20 + i);
            assertEquals(want, second.get(i), 1e-6 * want, "step " + (21 + i));
        }
        assertTrue(straight.get(29) < straight.get(0), "loss falls: " + straight.get(0) + " -> " + straight.get(29));
        MetricsLog.Table table = MetricsLog.read(dir.resolve("b/metrics.csv"));
        double[] steps = table.column("step");
        assertEquals(30.0, steps[steps.length - 1], "last row");
        assertEquals(List.of(5.0, 10.0, 15.0, 20.0, 25.0, 30.0), java.util.Arrays.stream(steps).boxed().toList(),
                "rows every 5 steps, none twice after resume");
        assertTrue(Double.isFinite(table.column("val_nll")[2]), "validation at step 15");
        assertTrue(Files.exists(dir.resolve("b/loss.png")));
    }

    @Test
    void inferenceCheckpointLoadsWithoutRegister(@TempDir Path dir) throws IOException {
        Path codes = TinyTraining.shards(dir.resolve("codes"), 12, 1, 4, 16, 3, 2);
        TrainResult result = GptTrainer.run(config(codes, dir.resolve("out"), "mutor-1d", 3), TrainListener.NONE, null);
        assertEquals(3, result.steps());
        Checkpoint.Contents contents = Checkpoint.load(result.model());
        assertTrue(contents.tensors().containsKey(GptModel.REGISTER_EMBEDDING), "register kept for training");
        assertEquals("mutor-1d", contents.meta().get("method").getAsString());
        assertEquals(3, contents.meta().get("step").getAsInt());
        try (GptModel model = GptLoader.load(result.model(), new GptLoader.Request(null, 0, 0, false,
                GptWeights.RegisterPolicy.SKIP), Device.cpu())) {
            assertFalse(model.hasRegisterEmbedding());
            assertEquals(TinyTraining.config(0.1), model.config());
        }
        assertTrue(Files.exists(dir.resolve("out/model-ema.safetensors")));
    }

    @Test
    void ntpRunSavesSamples(@TempDir Path dir) throws IOException {
        Path codes = TinyTraining.shards(dir.resolve("codes"), 12, 1, 4, 16, 3, 3);
        List<long[][]> sunk = new ArrayList<>();
        TrainConfig config = config(codes, dir.resolve("out"), "ntp", 2);
        config = new TrainConfig(config.method(), config.alpha(), config.dMax(), config.dMax2d(), config.registers(),
                config.numRegisters(), config.model(), config.lr(), "cosine", 1, 1e-5, config.weightDecay(),
                config.beta1(), config.beta2(), config.gradClip(), config.batchSize(), config.gradAccum(), 0,
                config.maxSteps(), config.ckptEvery(), config.logEvery(), 2, 4, 0, 0, 0, config.seed(),
                config.codes(), null, config.out(), false, false);
        TrainResult result = GptTrainer.run(config, TrainListener.NONE, (step, labels, c, h, w) -> sunk.add(c));
        assertEquals(1, sunk.size());
        assertEquals(4, sunk.get(0).length);
        assertTrue(Files.exists(dir.resolve("out/samples/step-0000002.npy")));
        assertFalse(Checkpoint.load(result.model()).tensors().containsKey(GptModel.REGISTER_EMBEDDING));
    }

    @Test
    void rejectsCodesThatDoNotFitTheModel(@TempDir Path dir) throws IOException {
        Path codes = TinyTraining.shards(dir.resolve("codes"), 4, 1, 4, 32, 3, 4);
        ConfigException e = assertThrows(ConfigException.class,
                () -> GptTrainer.run(config(codes, dir.resolve("out"), "ntp", 1), TrainListener.NONE, null));
        assertTrue(e.getMessage().contains("vocab_size 32"), e.getMessage());
        assertThrows(ConfigException.class, () -> TrainConfig.fromYaml(YamlConfig.of("t", Map.of("codes", "c",
                "out", "o", "method", "mutor-3d"))));
        assertThrows(ConfigException.class, () -> TrainConfig.fromYaml(YamlConfig.of("t", Map.of("codes", "c",
                "out", "o", "batch_size", 10, "grad_accum", 3))));
    }

    @Test
    void bundledTrainingPresetsParse() {
        Map<String, Method> presets = Map.of("train-imagenet-mutor2d", Method.MUTOR_2D,
                "train-imagenet-mutor2d-sparse", Method.MUTOR_2D, "train-imagenet-ntp", Method.NTP,
                "train-llamagen-ntp", Method.NTP, "fmnist-ntp", Method.NTP, "fmnist-mutor2d", Method.MUTOR_2D,
                "fmnist-mutor1d", Method.MUTOR_1D);
        presets.forEach((name, method) -> {
            TrainConfig c = TrainConfig.fromYaml(YamlConfig.load(Path.of("../configs", name + ".yaml")));
            assertEquals(method, c.method(), name);
        });
        TrainConfig paper = TrainConfig.fromYaml(YamlConfig.load(Path.of("../configs/train-imagenet-mutor2d.yaml")));
        assertEquals(GptConfig.gptB(), paper.model());
        assertEquals(1024, paper.batchSize());
        assertEquals(360_000, paper.maxSteps());
        assertEquals(0.95, paper.beta2());
        TrainConfig sparse = TrainConfig.fromYaml(
                YamlConfig.load(Path.of("../configs/train-imagenet-mutor2d-sparse.yaml")));
        assertEquals(80, sparse.numRegisters());
        assertEquals(1_501_367, TrainConfig.fromYaml(
                YamlConfig.load(Path.of("../configs/train-llamagen-ntp.yaml"))).maxSteps());
        TrainConfig flags = TrainConfig.fromYaml(YamlConfig.load(Path.of("../configs/fmnist-mutor2d.yaml")),
                Map.of("max_steps", "7", "method", "ntp"));
        assertEquals(7, flags.maxSteps());
        assertEquals(Method.NTP, flags.method());
    }
}

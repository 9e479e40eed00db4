package org.mutor.generator.bench;

import org.mutor.common.config.YamlConfig;
import org.mutor.common.data.CodeShardWriter;
import org.mutor.common.data.CodeShards;
import org.mutor.common.engine.EngineSetup;
import org.mutor.generator.train.GptTrainer;
import org.mutor.generator.train.TrainConfig;
import org.mutor.generator.train.TrainListener;
import org.mutor.generator.train.TrainResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs a training preset for a few steps on random codes of the preset's grid, through
 * {@link GptTrainer}, and prints the loss and image tokens per second. Not a test.
 *
 * <p>Arguments: config YAML, steps (10), method override (none).
 */
public final class TrainRunBench {

    private TrainRunBench() {
    }

    public static void main(String[] args) throws Exception {
        EngineSetup.offline();
        EngineSetup.start(EngineSetup.Options.defaults().withSeed(0));
        Path yaml = Path.of(args[0]);
        String steps = args.length > 1 ? args[1] : "10";
        Path work = Files.createTempDirectory("train-run-bench");
        TrainConfig probe = TrainConfig.fromYaml(YamlConfig.load(yaml), Map.of("codes", "x", "out", "x"));
        int grid = probe.model().gridSize();
        SplittableRandom random = new SplittableRandom(0);
        try (CodeShardWriter writer = CodeShards.writer(work.resolve("codes"), grid, grid, probe.model().vocabSize(),
                probe.model().numClasses(), 1, 1000)) {
            for (int i = 0; i < 2000; i++) {
                int[] codes = new int[grid * grid];
                for (int t = 0; t < codes.length; t++) {
                    codes[t] = random.nextInt(probe.model().vocabSize());
                }
                writer.add(codes, i % probe.model().numClasses());
            }
        }
        Map<String, Object> overrides = new java.util.HashMap<>(Map.of("codes", work.resolve("codes").toString(),
                "out", work.resolve("out").toString(), "max_steps", steps, "progress", "false", "val_codes",
                work.resolve("codes").toString(), "val_every", "0", "sample_every", "0"));
        if (args.length > 2) {
            overrides.put("method", args[2]);
        }
        TrainConfig config = TrainConfig.fromYaml(YamlConfig.load(yaml), overrides);
        double[] last = new double[2];
        TrainResult result = GptTrainer.run(config, new TrainListener() {
            @Override
            public void onStep(StepMetrics m) {
                last[0] = m.loss();
                last[1] = m.gradNorm();
                System.out.printf(Locale.ROOT, "step %d loss %.4f ntp %.4f reg %.4f grad %.4f %.0f tokens/s%n",
                        m.step(), m.loss(), m.ntpLoss(), m.registerLoss(), m.gradNorm(), m.tokensPerSecond());
            }
        }, null);
        System.out.printf(Locale.ROOT, "%s (%s): %d steps, mean %.0f image tokens/s, last loss %.4f, threads %s%n",
                yaml.getFileName(), config.method().key(), result.steps(), result.tokensPerSecond(), last[0],
                System.getProperty("ai.djl.pytorch.num_threads"));
    }
}

package org.mutor.generator.train;

import ai.djl.Device;

import org.mutor.common.data.CodeShardWriter;
import org.mutor.common.data.CodeShards;
import org.mutor.common.engine.EngineSetup;
import org.mutor.generator.gpt.GptConfig;
import org.mutor.generator.gpt.GptModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Tiny models and synthetic code folders for training tests. */
final class TinyTraining {

    static {
        EngineSetup.offline();
    }

    private TinyTraining() {
    }

    /** A 2-layer width-32 GPT on a 4x4 grid with 16 codes and 3 classes, with the given dropout. */
    static GptConfig config(double dropout) {
        return new GptConfig(32, 2, 2, 2, 16, null, 1e-5, 10000, 16, 3, 1, 16, dropout, dropout, dropout, dropout);
    }

    /** A random model; the output head is random too (upstream starts it at zero), so logits differ per slot. */
    static GptModel model(GptConfig config, long seed) {
        GptModel model = GptModel.initialize(config, Device.cpu(), seed, true);
        SplittableRandom random = new SplittableRandom(seed + 1);
        try (var scope = new ai.djl.ndarray.NDScope()) {
            var out = model.parameters().get("output.weight");
            float[] values = new float[(int) out.getShape().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextDouble() - 0.5) * 0.5f;
            }
            out.set(values);
            var reg = model.parameters().get(GptModel.REGISTER_EMBEDDING);
            float[] r = new float[(int) reg.getShape().size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) (random.nextDouble() - 0.5);
            }
            reg.set(r);
        }
        return model;
    }

    /** Random codes: image i's views have codes drawn from the seed. */
    static int[] codes(SplittableRandom random, int n, int vocab) {
        int[] codes = new int[n];
        for (int t = 0; t < n; t++) {
            codes[t] = random.nextInt(vocab);
        }
        return codes;
    }

    /** Writes {@code images} images of {@code crops} views on a {@code grid x grid} grid. */
    static Path shards(Path dir, int images, int crops, int grid, int vocab, int classes, long seed)
            throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        try (CodeShardWriter writer = CodeShards.writer(dir, grid, grid, vocab, classes, crops, 10)) {
            for (int i = 0; i < images; i++) {
                // A learnable pattern: each image repeats its class-dependent start code with noise.
                int[] row = codes(random, crops * grid * grid, vocab);
                for (int t = 0; t < row.length; t += 2) {
                    row[t] = (i % classes + t) % vocab;
                }
                writer.add(row, i % classes);
            }
        }
        return dir;
    }
}

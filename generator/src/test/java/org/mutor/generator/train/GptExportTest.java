package org.mutor.generator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.mutor.common.format.AtomicFiles;
import org.mutor.common.format.numpy.Npy;
import org.mutor.common.format.torch.TorchFile;
import org.mutor.common.tensor.HostTensor;
import org.mutor.generator.gpt.GptConfig;
import org.mutor.generator.gpt.GptLoader;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.gpt.GptWeights;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Exports a model trained with a register embedding to LlamaGen's layout and loads it back. The
 * files under target/gpt-export also feed tools/reference/check_gpt_export.py.
 */
class GptExportTest {

    private static final Path DIR = Path.of("target/gpt-export");

    @Test
    void exportRoundTripGivesSameLogits() throws IOException {
        GptConfig config = TinyTraining.config(0.1);
        Files.createDirectories(DIR);
        Path file = DIR.resolve("gpt.pt");
        long[] labels = {0, 2, 3};
        long[] codes = new long[3 * 16];
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < codes.length; i++) {
            codes[i] = random.nextInt(16);
        }
        float[] want;
        try (GptModel model = TinyTraining.model(config, 21)) {
            GptExport.toLlamaGen(model, file);
            want = logits(model, labels, codes);
        }
        Object root = TorchFile.load(file);
        assertTrue(root instanceof Map<?, ?> map && map.keySet().equals(java.util.Set.of("model")), "one 'model' dict");
        @SuppressWarnings("unchecked")
        Map<String, HostTensor> stored = TorchFile.flatten(TorchFile.subDict((Map<String, Object>) root, "model"));
        assertFalse(stored.containsKey(GptModel.REGISTER_EMBEDDING), "register embedding left out");
        assertEquals(GptWeights.expectedShapes(config, false).keySet(), stored.keySet());
        try (GptModel loaded = GptLoader.load(file, new GptLoader.Request(config, 0, 0, false,
                GptWeights.RegisterPolicy.LOAD), Device.cpu())) {
            float[] got = logits(loaded, labels, codes);
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 0f, "logit " + i);
            }
        }
        Npy.write(DIR.resolve("labels.npy"), HostTensor.ofLongs(new long[] {3}, labels));
        Npy.write(DIR.resolve("codes.npy"), HostTensor.ofLongs(new long[] {3, 16}, codes));
        Npy.write(DIR.resolve("logits.npy"), HostTensor.ofFloats(new long[] {3, 16, 16}, want));
        AtomicFiles.writeBytes(DIR.resolve("config.json"),
                GptLoader.toJson(config).toString().getBytes(StandardCharsets.UTF_8));
    }

    private static float[] logits(GptModel model, long[] labels, long[] codes) {
        try (NDScope scope = new NDScope()) {
            NDManager m = model.manager();
            return model.teacherForcedLogits(m.create(labels), m.create(codes, new Shape(labels.length, 16)))
                    .toFloatArray();
        }
    }
}

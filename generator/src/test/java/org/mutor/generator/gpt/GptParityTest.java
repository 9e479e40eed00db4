package org.mutor.generator.gpt;

import org.mutor.common.nn.KvCache;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mutor.generator.sample.Sampler;
import org.mutor.generator.sample.SamplingOptions;

import java.io.IOException;
import java.util.Arrays;

/** Compares the Java GPT with the PyTorch reference on a random-weight model. */
class GptParityTest {

    private static GptModel model;
    private static long[] codes; // [2, 16]
    private static final long[] LABELS = {3, 7};

    @BeforeAll
    static void load() throws IOException {
        model = TinyGptFixture.model();
        codes = TinyGptFixture.array("codes.npy").toLongArray();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void teacherForcedLogitsMatchTorch() throws IOException {
        float[] want = TinyGptFixture.array("logits.npy").toFloatArray();
        try (NDManager m = model.manager().newSubManager()) {
            NDArray logits = model.teacherForcedLogits(m.create(LABELS), m.create(codes, new Shape(2, 16)));
            assertEquals(new Shape(2, 16, 48), logits.getShape());
            double error = TinyGptFixture.relativeError(logits.toFloatArray(), want);
            assertTrue(error < 1e-5, "relative error " + error);
        }
    }

    @Test
    void cachedDecodeMatchesTorchAndFullForward() throws IOException {
        float[] wantPrefill = TinyGptFixture.array("prefill_logits.npy").toFloatArray();
        float[] wantStep = TinyGptFixture.array("step_logits.npy").toFloatArray();
        try (NDManager m = model.manager().newSubManager();
             KvCache cache = model.newCache(m, 2, 17)) {
            NDArray allCodes = m.create(codes, new Shape(2, 16));
            NDArray h = model.classEmbedding(m.create(LABELS)).reshape(2, 1, 64)
                    .concat(model.tokenEmbedding(allCodes.get(":, :5")), 1); // [2, 6, C]
            float[] prefill = model.decode(h, cache, 0).toFloatArray();
            float[] step = model.decode(model.tokenEmbedding(allCodes.get(":, 5:6")), cache, 6).toFloatArray();
            assertTrue(TinyGptFixture.relativeError(prefill, wantPrefill) < 1e-5, "prefill");
            assertTrue(TinyGptFixture.relativeError(step, wantStep) < 1e-5, "decode step");

            // Entry 6 of the full forward predicts code 6 from the class and codes 0..5, as the decode step does.
            NDArray full = model.teacherForcedLogits(m.create(LABELS), allCodes);
            float[] fullStep = full.get(":, 6, :").toFloatArray();
            assertTrue(TinyGptFixture.relativeError(step, fullStep) < 1e-5, "cache vs full forward");
        }
    }

    @Test
    void greedyGenerationMatchesTorch() throws IOException {
        JsonObject expected = TinyGptFixture.expected();
        Sampler sampler = new Sampler(model);
        for (String key : new String[] {"greedy", "greedy_cfg2"}) {
            double cfg = key.equals("greedy") ? 1.0 : 2.0;
            long[][] got = sampler.sample(new int[] {3, 7}, new long[] {0, 1},
                    new SamplingOptions(cfg, -1, 1.0, 1, 1.0), 0);
            JsonArray rows = expected.getAsJsonArray(key);
            for (int r = 0; r < 2; r++) {
                long[] want = new long[16];
                for (int i = 0; i < 16; i++) {
                    want[i] = rows.get(r).getAsJsonArray().get(i).getAsLong();
                }
                assertArrayEquals(want, got[r], key + " row " + r + ": " + Arrays.toString(got[r]));
            }
        }
    }
}

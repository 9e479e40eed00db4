package org.mutor.lm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.mutor.mutor2d.PromptAnswerLayout;
import org.mutor.mutor2d.RegisterPlan;
import org.mutor.mutor2d.RegisterPlanner;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Logits and token ids against Hugging Face transformers on the tiny random models. */
class ParityTest {

    private static final JsonObject REFERENCE = Fixtures.reference();

    @Test
    void llamaLogitsMatchTransformers() throws IOException {
        checkLogits(Fixtures.llama(), REFERENCE.getAsJsonObject("llama"));
    }

    @Test
    void gemmaBf16LogitsMatchTransformers() throws IOException {
        checkLogits(Fixtures.gemma(), REFERENCE.getAsJsonObject("gemma"));
    }

    @Test
    void llamaTokenIdsMatchTransformers() throws IOException {
        checkTokens(Fixtures.llama(), "tiny-llama");
    }

    @Test
    void gemmaTokenIdsMatchTransformers() throws IOException {
        checkTokens(Fixtures.gemma(), "tiny-gemma");
    }

    @Test
    void configsAreReadAsWritten() throws IOException {
        LmConfig llama = LmConfig.read(Fixtures.llama().resolve("config.json"));
        assertEquals(LmConfig.Architecture.LLAMA, llama.architecture());
        assertEquals(2, llama.kvHeads());
        assertTrue(llama.rope().llama3());
        assertEquals(500000.0, llama.rope().theta());
        LmConfig gemma = LmConfig.read(Fixtures.gemma().resolve("config.json"));
        assertEquals(LmConfig.Architecture.GEMMA, gemma.architecture());
        assertEquals(32, gemma.headDim());
        assertEquals(1, gemma.kvHeads());
        assertTrue(gemma.tiedEmbeddings());
    }

    private static void checkLogits(Path folder, JsonObject ref) throws IOException {
        try (CausalLm model = CausalLm.load(folder, Device.cpu());
             NDManager m = model.manager().newSubManager()) {
            for (JsonElement e : ref.getAsJsonArray("cases")) {
                JsonObject c = e.getAsJsonObject();
                int[] ids = ints(c.getAsJsonArray("ids"));
                int n = ids.length;
                int prompt = c.get("prompt").getAsInt();
                int[] positions = new int[n];
                for (int i = 0; i < n; i++) {
                    positions[i] = i;
                }
                NDArray h = model.embed(m.create(ids, new Shape(1, n)), null);
                NDArray causal = model.forward(h, positions, LmData.causalBias(m, n), null, 0);
                assertClose(floats(c.getAsJsonArray("causal")), causal.toFloatArray(), folder + " causal");
                // The prompt-bidirectional mask comes from the register planner, as in training.
                RegisterPlan plan = RegisterPlanner.ntp(new PromptAnswerLayout(prompt, n + 1 - prompt, true));
                NDArray bias = m.create(plan.additiveBias(n), new Shape(1, 1, n, n));
                NDArray bidi = model.forward(h, positions, bias, null, 0);
                assertClose(floats(c.getAsJsonArray("bidirectional")), bidi.toFloatArray(),
                        folder + " bidirectional prompt of " + prompt);
            }
        }
    }

    private static void checkTokens(Path folder, String key) throws IOException {
        try (LmTokenizer tokenizer = LmTokenizer.open(folder)) {
            for (JsonElement e : REFERENCE.getAsJsonObject("tokens").getAsJsonArray(key)) {
                JsonObject s = e.getAsJsonObject();
                String text = s.get("text").getAsString();
                assertArrayEquals(ints(s.getAsJsonArray("ids")), tokenizer.encode(text, true), text);
                assertArrayEquals(ints(s.getAsJsonArray("plain")), tokenizer.encode(text, false), text);
                assertEquals(text, tokenizer.decode(tokenizer.encode(text, true)), "round trip");
            }
        }
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double err = Fixtures.relativeError(actual, expected);
        assertTrue(err < 1e-4, what + ": relative error " + err);
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    static float[] floats(JsonArray a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsFloat();
        }
        return out;
    }
}

package org.mutor.lm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.SafeTensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A short MuToR run on the tiny Llama: loss drops, export loads back, resume, cached decoding. */
class LmFinetuneTest {

    @TempDir
    Path dir;

    @Test
    void mutorRunLowersLossExportsAndResumes() throws IOException {
        Path data = dir.resolve("train.jsonl");
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            lines.append("{\"question\": \"Tom has ").append(i).append(" pens and 2 more.\", \"answer\": \"")
                    .append(i).append(" + 2 = ").append(i + 2).append("\\n#### ").append(i + 2).append("\"}\n");
        }
        Files.writeString(data, lines);
        Path out = dir.resolve("out");
        LmFinetune.Options o = new LmFinetune.Options(Fixtures.llama(), data, LmData.Fields.gsm8k(), true, 4, 0.3,
                3e-3, 4, 2, 2, 128, out, false, 5);
        double before;
        try (CausalLm base = CausalLm.load(Fixtures.llama(), Device.cpu());
             LmTokenizer tok = LmTokenizer.open(Fixtures.llama())) {
            before = LmEval.heldOutLoss(base, LmData.load(data, LmData.Fields.gsm8k(), tok, 128, 2).examples(), 3);
        }
        List<String> log = new ArrayList<>();
        LmFinetune.Summary s = LmFinetune.run(o, Device.cpu(), log::add);
        assertEquals(8, s.steps());
        assertTrue(Files.exists(out.resolve("tokenizer.json")));
        assertFalse(SafeTensors.read(out.resolve("model.safetensors")).tensors().containsKey(CausalLm.REGISTER_EMBEDDING));
        float[] exported;
        try (CausalLm tuned = CausalLm.load(out, Device.cpu());
             LmTokenizer tok = LmTokenizer.open(out)) {
            double after = LmEval.heldOutLoss(tuned, LmData.load(data, LmData.Fields.gsm8k(), tok, 128, 2).examples(), 3);
            assertTrue(after < before - 0.5, "loss " + before + " -> " + after);
            exported = tuned.parameters().get("lm_head.weight").toFloatArray();
        }
        // Resuming a finished run loads the state and writes the same model again.
        log.clear();
        LmFinetune.run(new LmFinetune.Options(Fixtures.llama(), data, LmData.Fields.gsm8k(), true, 4, 0.3, 3e-3, 4, 2,
                2, 128, out, true, 5), Device.cpu(), log::add);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("resumed at step 8")), log.toString());
        try (CausalLm again = CausalLm.load(out, Device.cpu())) {
            assertArrayEquals(exported, again.parameters().get("lm_head.weight").toFloatArray());
        }
    }

    @Test
    void cachedGreedyDecodingMatchesFullRecomputation() throws IOException {
        try (CausalLm model = CausalLm.load(Fixtures.gemma(), Device.cpu());
             NDManager m = model.manager().newSubManager()) {
            int[] prompt = {1, 40, 41, 42, 43, 44};
            int[] fast = LmEval.generate(model, prompt, 6, -1);
            List<Integer> seq = new ArrayList<>();
            for (int t : prompt) {
                seq.add(t);
            }
            for (int step = 0; step < 6; step++) {
                int n = seq.size();
                int[] ids = seq.stream().mapToInt(Integer::intValue).toArray();
                int[] positions = new int[n];
                float[] bias = new float[n * n];
                for (int i = 0; i < n; i++) {
                    positions[i] = i;
                    for (int j = 0; j < n; j++) {
                        boolean allowed = j <= i || (i < prompt.length && j < prompt.length);
                        bias[i * n + j] = allowed ? 0 : Float.NEGATIVE_INFINITY;
                    }
                }
                NDArray logits = model.forward(model.embed(m.create(ids, new Shape(1, n)), null), positions,
                        m.create(bias, new Shape(1, 1, n, n)), null, 0);
                int next = (int) logits.get("0, {}, :", n - 1).argMax().getLong();
                assertEquals(next, fast[step], "token " + step);
                seq.add(next);
            }
        }
    }
}

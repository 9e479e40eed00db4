package org.mutor.lm;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.mutor.mutor2d.LinearOffset;
import org.mutor.mutor2d.RegisterBatch;
import org.mutor.mutor2d.RegisterPlan;
import org.mutor.mutor2d.RegisterPlanner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registers must not change what real tokens compute: answer logits agree with and without them. */
class RegisterMaskingTest {

    @Test
    void llamaAnswerLogitsIgnoreRegisters() throws IOException {
        check(Fixtures.llama());
    }

    @Test
    void gemmaAnswerLogitsIgnoreRegisters() throws IOException {
        check(Fixtures.gemma());
    }

    private static void check(Path folder) throws IOException {
        try (CausalLm model = CausalLm.load(folder, Device.cpu());
             LmTokenizer tokenizer = LmTokenizer.open(folder);
             NDManager m = model.manager().newSubManager()) {
            model.addRegisterEmbedding();
            int[] prompt = tokenizer.encode("Question: Ana has 5 pens. How many?\n\nAnswer:", true);
            int[] answer = tokenizer.encode(" 5 + 2 = 7\n#### 7", false);
            LmData.Example e = new LmData.Example("q", "a", prompt, answer);
            List<int[]> seq = List.of(e.sequence());
            RegisterPlan plain = RegisterPlanner.ntp(LmLoss.layout(e));
            float[] base = LmLoss.logits(model, m, RegisterBatch.of(List.of(plain)), seq).toFloatArray();
            int vocab = model.config().vocabSize();
            for (int d = 1; d <= 4; d++) {
                RegisterPlan plan = RegisterPlanner.full(LmLoss.layout(e), new LinearOffset(d));
                assertTrue(plan.registerCount() > 0);
                NDArray logits = LmLoss.logits(model, m, RegisterBatch.of(List.of(plan)), seq);
                float[] with = logits.toFloatArray();
                // Gather the real slots' rows in register-free order.
                float[] real = new float[base.length];
                for (int k = 0; k < plan.length(); k++) {
                    int i = plan.realIndex(k);
                    if (i >= 0) {
                        System.arraycopy(with, k * vocab, real, i * vocab, vocab);
                    }
                }
                double err = Fixtures.relativeError(real, base);
                assertTrue(err < 1e-5, folder.getFileName() + " d=" + d + ": relative error " + err);
                // The register rows themselves are real predictions, not copies of a neighbour.
                int slot = 0;
                while (!plan.isRegister(slot)) {
                    slot++;
                }
                float diff = Math.abs(with[slot * vocab] - with[(slot - 1) * vocab]);
                assertTrue(diff > 0, "register row equals the row before it");
            }
        }
    }
}

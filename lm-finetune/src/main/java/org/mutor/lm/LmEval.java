package org.mutor.lm;

import org.mutor.common.nn.KvCache;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import org.mutor.common.format.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Held-out loss and greedy-decoding accuracy. Generation prefills the whole prompt without a
 * mask (the prompt is bidirectional, as in training), then decodes one token at a time with a
 * key/value cache until EOS or the token limit.
 */
public final class LmEval {

    /**
     * One scored example.
     *
     * @param question prompt field
     * @param target answer field
     * @param generated decoded answer text
     * @param predicted extracted number, or null
     * @param correct whether it equals the target's number
     */
    public record Prediction(String question, String target, String generated, String predicted, boolean correct) {
    }

    private LmEval() {
    }

    /** Mean NLL per answer token (EOS included) over all examples, in batches of {@code batchSize}. */
    public static double heldOutLoss(CausalLm model, List<LmData.Example> examples, int batchSize) {
        double sum = 0;
        long count = 0;
        for (int from = 0; from < examples.size(); from += batchSize) {
            List<LmData.Example> part = examples.subList(from, Math.min(examples.size(), from + batchSize));
            try (NDManager m = model.manager().newSubManager()) {
                LmLoss.Result r = LmLoss.loss(model, m, part, LmLoss.ntpPlans(part), 0);
                sum += r.ntp() * r.ntpCount();
                count += r.ntpCount();
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Greedy continuation of {@code prompt}: at most {@code maxNewTokens} ids, EOS excluded. */
    public static int[] generate(CausalLm model, int[] prompt, int maxNewTokens, int eosId) {
        int p = prompt.length;
        List<Integer> out = new ArrayList<>();
        try (NDManager m = model.manager().newSubManager();
             KvCache cache = model.newCache(m, 1, p + maxNewTokens)) {
            int[] positions = new int[p];
            for (int i = 0; i < p; i++) {
                positions[i] = i;
            }
            NDArray h = model.embed(m.create(prompt, new Shape(1, p)), null);
            int next = argmaxLast(model.forward(h, positions, null, cache, 0));
            for (int step = 0; step < maxNewTokens && next != eosId; step++) {
                out.add(next);
                if (step == maxNewTokens - 1) {
                    break;
                }
                try (NDManager s = m.newSubManager()) {
                    NDArray x = model.embed(s.create(new int[] {next}, new Shape(1, 1)), null);
                    next = argmaxLast(model.forward(x, new int[] {p + step}, null, cache, p + step));
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int argmaxLast(NDArray logits) {
        long l = logits.getShape().get(1);
        return (int) logits.get("0, {}, :", l - 1).argMax().getLong();
    }

    /** Generates and scores every example; {@code progress} hears each finished index. */
    public static List<Prediction> predict(CausalLm model, LmTokenizer tokenizer, List<LmData.Example> examples,
            int maxNewTokens, IntConsumer progress) {
        List<Prediction> out = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            LmData.Example e = examples.get(i);
            String text = tokenizer.decode(generate(model, e.prompt(), maxNewTokens, model.config().eosId()));
            String predicted = AnswerExtractor.extract(text);
            String target = AnswerExtractor.extract(e.answer());
            out.add(new Prediction(e.question(), e.answer(), text, predicted, AnswerExtractor.same(predicted, target)));
            if (progress != null) {
                progress.accept(i);
            }
        }
        return out;
    }

    /** Fraction of correct predictions, NaN when there are none. */
    public static double accuracy(List<Prediction> predictions) {
        if (predictions.isEmpty()) {
            return Double.NaN;
        }
        return predictions.stream().filter(Prediction::correct).count() / (double) predictions.size();
    }

    /** Writes one JSON object per prediction, atomically. */
    public static void writePredictions(Path file, List<Prediction> predictions) throws IOException {
        Gson gson = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
        StringBuilder text = new StringBuilder();
        for (Prediction p : predictions) {
            JsonObject row = new JsonObject();
            row.addProperty("question", p.question());
            row.addProperty("target", p.target());
            row.addProperty("generated", p.generated());
            row.addProperty("predicted", p.predicted());
            row.addProperty("correct", p.correct());
            text.append(gson.toJson(row)).append('\n');
        }
        AtomicFiles.writeBytes(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }
}

package org.mutor.lm;

import org.mutor.common.tensor.EngineArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.mutor.common.format.FormatException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt/answer examples from jsonl files. The GSM8K format has {@code question} and {@code
 * answer} fields and uses the template {@code "Question: {q}\n\nAnswer:"}; a generic file names
 * its own fields, and its prompt text is used as it is. Either way the answer region is {@code
 * " " + answer} tokenized without special tokens, then EOS; the prompt gets the special tokens
 * the tokenizer adds (BOS). Examples longer than the maximum length are dropped, never cut.
 */
public final class LmData {

    /** GSM8K's prompt template; {@code %s} is the question. */
    public static final String GSM8K_TEMPLATE = "Question: %s\n\nAnswer:";

    /**
     * Which fields hold the prompt and the answer.
     *
     * @param promptField field of the question or prompt
     * @param answerField field of the answer
     * @param gsm8kTemplate whether the prompt is wrapped in {@link #GSM8K_TEMPLATE}
     */
    public record Fields(String promptField, String answerField, boolean gsm8kTemplate) {

        /** GSM8K: {@code question} and {@code answer} with the template. */
        public static Fields gsm8k() {
            return new Fields("question", "answer", true);
        }

        /** The GSM8K fields and template unless other fields are named; named fields get no template. */
        public static Fields of(String promptField, String answerField) {
            if (promptField == null && answerField == null) {
                return gsm8k();
            }
            return new Fields(promptField == null ? "prompt" : promptField,
                    answerField == null ? "answer" : answerField, false);
        }
    }

    /**
     * One tokenized example.
     *
     * @param question prompt field as written in the file
     * @param answer answer field as written in the file
     * @param prompt prompt token ids, BOS included
     * @param target answer token ids, EOS included
     */
    public record Example(String question, String answer, int[] prompt, int[] target) {

        /** Register-free sequence: prompt then answer. */
        public int[] sequence() {
            int[] s = new int[prompt.length + target.length];
            System.arraycopy(prompt, 0, s, 0, prompt.length);
            System.arraycopy(target, 0, s, prompt.length, target.length);
            return s;
        }
    }

    /**
     * Examples that fit and the number dropped for length.
     *
     * @param examples examples in file order
     * @param dropped examples longer than the maximum length
     */
    public record Loaded(List<Example> examples, int dropped) {
    }

    private LmData() {
    }

    /**
     * Reads and tokenizes a jsonl file; blank lines are skipped.
     *
     * @param maxLength longest prompt plus answer kept, in tokens
     * @param eosId EOS id appended to every answer
     * @throws FormatException naming the file and line when a line is not an object with both fields
     */
    public static Loaded load(Path file, Fields fields, LmTokenizer tokenizer, int maxLength, int eosId)
            throws IOException {
        if (eosId < 0) {
            throw new FormatException(file + ": the model's config.json has no eos_token_id; add it");
        }
        List<Example> examples = new ArrayList<>();
        int dropped = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String[] pair = fieldsOf(file, number, line, fields);
                String prompt = fields.gsm8kTemplate() ? String.format(GSM8K_TEMPLATE, pair[0]) : pair[0];
                int[] promptIds = tokenizer.encode(prompt, true);
                int[] answerIds = tokenizer.encode(" " + pair[1], false);
                int[] target = new int[answerIds.length + 1];
                System.arraycopy(answerIds, 0, target, 0, answerIds.length);
                target[answerIds.length] = eosId;
                if (promptIds.length == 0) {
                    throw new FormatException(file + ":" + number + ": the prompt tokenizes to nothing; "
                            + "give a non-empty " + fields.promptField());
                }
                if (promptIds.length + target.length > maxLength) {
                    dropped++;
                    continue;
                }
                examples.add(new Example(pair[0], pair[1], promptIds, target));
            }
        }
        return new Loaded(examples, dropped);
    }

    private static String[] fieldsOf(Path file, int number, String line, Fields fields) throws FormatException {
        JsonObject row;
        try {
            JsonElement parsed = JsonParser.parseString(line);
            if (!parsed.isJsonObject()) {
                throw new FormatException(file + ":" + number + ": not a JSON object; each line must be one");
            }
            row = parsed.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new FormatException(file + ":" + number + ": not valid JSON (" + e.getMessage() + ")");
        }
        String[] out = new String[2];
        String[] names = {fields.promptField(), fields.answerField()};
        for (int i = 0; i < 2; i++) {
            JsonElement value = row.get(names[i]);
            if (value == null || !value.isJsonPrimitive()) {
                throw new FormatException(file + ":" + number + ": no text field '" + names[i] + "'; each line needs '"
                        + names[0] + "' and '" + names[1] + "' (set --prompt-field/--answer-field for other names)");
            }
            out[i] = value.getAsString();
        }
        return out;
    }

    /** Additive causal bias {@code [1, 1, n, n]}: 0 on and below the diagonal, negative infinity above. */
    public static NDArray causalBias(NDManager manager, int n) {
        float[] bias = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                bias[i * n + j] = Float.NEGATIVE_INFINITY;
            }
        }
        return EngineArrays.create(manager, bias, new Shape(1, 1, n, n));
    }
}

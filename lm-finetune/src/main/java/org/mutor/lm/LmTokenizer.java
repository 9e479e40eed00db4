package org.mutor.lm;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.mutor.common.format.FormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model folder's {@code tokenizer.json} through DJL's Hugging Face tokenizer, read from the
 * local file only. Special tokens (BOS for Llama 3 and Gemma) are added as the file's
 * post-processor says, exactly like the reference tokenizer.
 */
public final class LmTokenizer implements AutoCloseable {

    /** File name of the tokenizer in a model folder. */
    public static final String FILE = "tokenizer.json";

    private final HuggingFaceTokenizer tokenizer;

    private LmTokenizer(HuggingFaceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * Opens {@code folder/tokenizer.json} with truncation and padding off.
     *
     * @throws FormatException when the file is missing or the tokenizer library rejects it
     */
    public static LmTokenizer open(Path folder) throws IOException {
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new FormatException(folder + ": has no " + FILE + "; copy the model's tokenizer files into it");
        }
        try {
            return new LmTokenizer(HuggingFaceTokenizer.newInstance(file,
                    Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "true")));
        } catch (RuntimeException e) {
            throw new FormatException(file + ": the tokenizer library cannot read it (" + e.getMessage() + ")");
        }
    }

    /** Token ids of {@code text}, with the special tokens the tokenizer adds (BOS) when {@code special}. */
    public int[] encode(String text, boolean special) {
        long[] ids = tokenizer.encode(text, special, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /** Text of {@code ids}, special tokens skipped. */
    public String decode(int[] ids) {
        long[] wide = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            wide[i] = ids[i];
        }
        return tokenizer.decode(wide, true);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

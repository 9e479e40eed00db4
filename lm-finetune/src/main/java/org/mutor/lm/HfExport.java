package org.mutor.lm;

import ai.djl.ndarray.NDArray;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import org.mutor.common.format.AtomicFiles;
import org.mutor.common.format.SafeTensors;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model as a Hugging Face folder that transformers loads: {@code config.json} (the
 * original with the dtype set to float32), {@code model.safetensors} with the original tensor
 * names in float32, and the tokenizer files copied from the source folder. The register
 * embedding is left out, so the result is an ordinary model.
 */
public final class HfExport {

    /** Tokenizer and generation files copied when present. */
    static final List<String> COPIED = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "tokenizer.model", "generation_config.json");

    private HfExport() {
    }

    /** Writes {@code model} into {@code out}, copying tokenizer files from {@code source}. */
    public static void write(CausalLm model, Path source, Path out) throws IOException {
        Files.createDirectories(out);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (String name : LmWeights.expectedShapes(model.config()).keySet()) {
            NDArray p = model.parameters().get(name);
            tensors.put(name, HostTensor.fromNDArray(p));
        }
        SafeTensors.write(out.resolve(LmWeights.SINGLE), tensors, Map.of("format", "pt"));
        Files.deleteIfExists(out.resolve(LmWeights.INDEX)); // a stale index would shadow the single file
        JsonObject config = model.config().json().deepCopy();
        config.remove("torch_dtype");
        config.addProperty(config.has("dtype") ? "dtype" : "torch_dtype", "float32");
        String text = new GsonBuilder().setPrettyPrinting().create().toJson(config) + "\n";
        AtomicFiles.writeBytes(out.resolve("config.json"), text.getBytes(StandardCharsets.UTF_8));
        if (!source.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            for (String name : COPIED) {
                Path file = source.resolve(name);
                if (Files.isRegularFile(file)) {
                    AtomicFiles.writeBytes(out.resolve(name), Files.readAllBytes(file));
                }
            }
        }
    }
}

package org.mutor.common.format;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * mutor's checkpoint file: a plain safetensors file whose {@code __metadata__} map contains
 * one key, {@value #METADATA_KEY}, with a JSON string
 * {@code {"format_version": "1.0", "meta": {...}}}.
 *
 * <p>Because the rest is ordinary safetensors, Python's {@code safetensors.safe_open}
 * opens a checkpoint and reads both tensors and metadata. A reader accepts any minor
 * version of its own major version and rejects other majors.
 */
public final class Checkpoint {

    /** The {@code __metadata__} key whose value is mutor's JSON. */
    public static final String METADATA_KEY = "mutor";

    /** Version this build writes; readers accept any {@code 1.x}. */
    public static final String FORMAT_VERSION = "1.0";

    private static final int MAJOR_VERSION = 1;

    private Checkpoint() {
    }

    /**
     * Contents of a checkpoint.
     *
     * @param tensors memory-mapped tensors in file order
     * @param meta the caller's metadata as saved
     * @param formatVersion the version the file was written with
     */
    public record Contents(Map<String, HostTensor> tensors, JsonObject meta, String formatVersion) {
    }

    /**
     * Writes tensors and metadata atomically (temporary file, then rename).
     *
     * @param meta any JSON object; null saves an empty object
     */
    public static void save(Path file, Map<String, HostTensor> tensors, JsonObject meta) throws IOException {
        Objects.requireNonNull(tensors, "tensors");
        JsonObject envelope = new JsonObject();
        envelope.addProperty("format_version", FORMAT_VERSION);
        envelope.add("meta", meta == null ? new JsonObject() : meta.deepCopy());
        SafeTensors.write(file, tensors, Map.of(METADATA_KEY, new Gson().toJson(envelope)));
    }

    /**
     * Reads a checkpoint, memory-mapping its tensors.
     *
     * @throws FormatException when the file is not a safetensors file, carries no mutor
     *     metadata, or has a format version with another major number
     */
    public static Contents load(Path file) throws IOException {
        SafeTensors.Contents contents = SafeTensors.read(file);
        String json = contents.metadata().get(METADATA_KEY);
        if (json == null) {
            throw new FormatException(file + ": a safetensors file without mutor checkpoint metadata (no '"
                    + METADATA_KEY + "' key in __metadata__); read it with SafeTensors.read instead");
        }
        JsonObject envelope;
        try {
            envelope = JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new FormatException(file + ": checkpoint metadata is not a JSON object: " + e.getMessage());
        }
        JsonElement version = envelope.get("format_version");
        JsonElement meta = envelope.get("meta");
        if (version == null || !version.isJsonPrimitive() || meta == null || !meta.isJsonObject()) {
            throw new FormatException(file + ": checkpoint metadata needs 'format_version' (a string) and "
                    + "'meta' (an object)");
        }
        String formatVersion = version.getAsString();
        int major = majorOf(formatVersion, file);
        if (major != MAJOR_VERSION) {
            throw new FormatException(file + ": checkpoint format version " + formatVersion
                    + " is not supported; this build reads " + MAJOR_VERSION + ".x (written by a "
                    + (major > MAJOR_VERSION ? "newer" : "older") + " mutor; convert it or use a matching build)");
        }
        return new Contents(contents.tensors(), meta.getAsJsonObject(), formatVersion);
    }

    private static int majorOf(String version, Path file) throws FormatException {
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
        } catch (NumberFormatException e) {
            throw new FormatException(file + ": checkpoint format version '" + version
                    + "' is not of the form MAJOR.MINOR");
        }
    }
}

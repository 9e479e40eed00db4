package org.mutor.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import org.mutor.common.format.FormatException;
import org.mutor.common.format.SafeTensors;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training state in one safetensors file, written atomically: tensors named
 * {@code model/NAME}, {@code exp_avg/NAME}, {@code exp_avg_sq/NAME} and {@code ema/NAME},
 * and a JSON object (step, optimizer step count, seed, data position, caller's extras)
 * in the metadata entry {@value #STATE_KEY}.
 */
public final class TrainCheckpoint {

    /** Metadata key holding the JSON state. */
    public static final String STATE_KEY = "mutor.train_state";
    /** Metadata key holding the layout version. */
    public static final String FORMAT_KEY = "mutor.format";
    /** Layout version written by this class. */
    public static final String FORMAT = "mutor-train-state/1";

    private TrainCheckpoint() {
    }

    /** Tensors and JSON state of a checkpoint; the tensors may be memory-mapped from the file. */
    public record Contents(Map<String, HostTensor> tensors, JsonObject state) {
    }

    /** Writes the tensors and the state atomically (temporary file, then rename). */
    public static void write(Path file, Map<String, HostTensor> tensors, JsonObject state) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(FORMAT_KEY, FORMAT);
        metadata.put(STATE_KEY, state.toString());
        SafeTensors.write(file, tensors, metadata);
    }

    /**
     * Reads a checkpoint written by {@link #write}.
     *
     * @throws FormatException when the file is not a training state of this layout
     */
    public static Contents read(Path file) throws IOException {
        SafeTensors.Contents contents = SafeTensors.read(file);
        String format = contents.metadata().get(FORMAT_KEY);
        if (!FORMAT.equals(format)) {
            throw new FormatException(file + ": metadata " + FORMAT_KEY + " is '" + format + "', expected '"
                    + FORMAT + "'; the file is not a training state written by this version");
        }
        try {
            JsonObject state = JsonParser.parseString(contents.metadata().get(STATE_KEY)).getAsJsonObject();
            return new Contents(contents.tensors(), state);
        } catch (JsonParseException | IllegalStateException | NullPointerException e) {
            throw new FormatException(file + ": metadata " + STATE_KEY + " is not a JSON object; the file is corrupt");
        }
    }

    /** Copies the current parameter values to host tensors named {@code model/NAME}. */
    public static Map<String, HostTensor> modelTensors(Map<String, Parameter> params) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        params.forEach((name, p) -> out.put("model/" + name, HostTensor.fromNDArray(p.getArray())));
        return out;
    }

    /**
     * Overwrites the parameters in place with the tensors named {@code model/NAME}.
     *
     * @throws FormatException when a parameter is missing or differs in shape or dtype
     */
    public static void loadModel(Map<String, Parameter> params, Map<String, HostTensor> tensors)
            throws FormatException {
        try (NoGrad noGrad = new NoGrad()) {
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                HostTensor t = tensors.get("model/" + e.getKey());
                if (t == null) {
                    throw new FormatException("checkpoint lacks parameter 'model/" + e.getKey()
                            + "'; it was written for another model");
                }
                copyInto(t, e.getValue().getArray(), e.getKey());
            }
        }
    }

    /** Copies a host tensor into a new array of {@code manager} that owns its memory. */
    static NDArray toOwnedNDArray(HostTensor tensor, NDManager manager) {
        return tensor.toNDArray(manager);
    }

    /** Copies {@code source} into {@code target} in place; both must have the same shape and dtype. */
    static void copyInto(NDArray source, NDArray target) {
        try {
            copyInto(HostTensor.fromNDArray(source), target, "array");
        } catch (FormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static void copyInto(HostTensor source, NDArray target, String name) throws FormatException {
        if (!Arrays.equals(source.shape(), target.getShape().getShape())) {
            throw new FormatException("tensor '" + name + "' has shape " + Arrays.toString(source.shape())
                    + " but the model expects " + target.getShape() + "; the checkpoint belongs to another model");
        }
        if (source.dtype().engineType() != target.getDataType()) {
            throw new FormatException("tensor '" + name + "' has dtype " + source.dtype().shortName()
                    + " but the model expects " + target.getDataType() + "; convert the checkpoint first");
        }
        ByteBuffer bytes = source.contiguousBytes();
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        direct.put(bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN)).flip();
        target.set(direct);
    }
}

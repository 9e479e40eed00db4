package org.mutor.common.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

class CheckpointTest {

    @TempDir
    Path tmp;

    private static Map<String, HostTensor> tensors() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("tok_embeddings.weight", HostTensor.ofFloats(new long[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-7f, 9}));
        t.put("step", HostTensor.ofLongs(new long[0], new long[] {12345}));
        // bfloat16 bits of 1.0, -2.0 and 0.5.
        ByteBuffer bf16 = ByteBuffer.allocate(6).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bf16.putShort((short) 0x3F80).putShort((short) 0xC000).putShort((short) 0x3F00).flip();
        t.put("norm.weight", HostTensor.contiguous("bf16", DType.BFLOAT16, new long[] {3}, bf16));
        return t;
    }

    private static JsonObject meta() {
        return JsonParser.parseString("{\"model\": {\"dim\": 768, \"layers\": 12}, \"registers\": [1, 2],"
                + " \"note\": \"ünïcode\", \"lr\": 3e-4}").getAsJsonObject();
    }

    @Test
    void roundTripsTensorsAndMetadata() throws IOException {
        Path file = tmp.resolve("ckpt.safetensors");
        Checkpoint.save(file, tensors(), meta());
        Checkpoint.Contents back = Checkpoint.load(file);
        assertEquals(meta(), back.meta());
        assertEquals(Checkpoint.FORMAT_VERSION, back.formatVersion());
        assertEquals(tensors().keySet(), back.tensors().keySet());
        assertArrayEquals(new float[] {1, -2, 3.5f, 0, 1e-7f, 9}, back.tensors().get("tok_embeddings.weight").toFloatArray());
        assertArrayEquals(new long[] {12345}, back.tensors().get("step").toLongArray());
        assertArrayEquals(new float[] {1, -2, 0.5f}, back.tensors().get("norm.weight").toFloatArray());
        // The file stays a plain safetensors file with one metadata key.
        assertEquals(java.util.Set.of(Checkpoint.METADATA_KEY), SafeTensors.read(file).metadata().keySet());
        try (var listing = Files.list(tmp)) {
            assertEquals(1, listing.count(), "no temporary file is left behind");
        }
    }

    @Test
    void nullMetadataSavesAnEmptyObject() throws IOException {
        Path file = tmp.resolve("ckpt.safetensors");
        Checkpoint.save(file, tensors(), null);
        assertEquals(new JsonObject(), Checkpoint.load(file).meta());
    }

    @Test
    void acceptsNewerMinorAndRejectsOtherMajorVersions() throws IOException {
        Path file = tmp.resolve("v.safetensors");
        SafeTensors.write(file, tensors(), Map.of(Checkpoint.METADATA_KEY, "{\"format_version\": \"1.7\", \"meta\": {}}"));
        assertEquals("1.7", Checkpoint.load(file).formatVersion());
        SafeTensors.write(file, tensors(), Map.of(Checkpoint.METADATA_KEY, "{\"format_version\": \"2.0\", \"meta\": {}}"));
        FormatException e = assertThrows(FormatException.class, () -> Checkpoint.load(file));
        assertTrue(e.getMessage().contains("2.0"), e.getMessage());
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
        SafeTensors.write(file, tensors(), Map.of(Checkpoint.METADATA_KEY, "{\"format_version\": \"x\", \"meta\": {}}"));
        assertThrows(FormatException.class, () -> Checkpoint.load(file));
        SafeTensors.write(file, tensors(), Map.of(Checkpoint.METADATA_KEY, "{\"meta\": {}}"));
        assertThrows(FormatException.class, () -> Checkpoint.load(file));
        SafeTensors.write(file, tensors(), Map.of(Checkpoint.METADATA_KEY, "not json {"));
        assertThrows(FormatException.class, () -> Checkpoint.load(file));
        SafeTensors.write(file, tensors(), Map.of("other", "x"));
        assertTrue(assertThrows(FormatException.class, () -> Checkpoint.load(file)).getMessage()
                .contains("SafeTensors.read"));
    }

    /** Leaves a checkpoint for tools/reference/check_numpy_outputs.py, which opens it with Python safetensors. */
    @Test
    void writesCheckpointForThePythonCheck() throws IOException {
        Path dir = Path.of(System.getProperty("mutor.javaWrittenDir", "target/java-written"));
        Files.createDirectories(dir);
        Path file = dir.resolve("java_checkpoint.safetensors");
        Checkpoint.save(file, tensors(), meta());
        JsonObject expectedTensors = new JsonObject();
        for (Map.Entry<String, HostTensor> e : tensors().entrySet()) {
            HostTensor t = e.getValue();
            JsonObject record = new JsonObject();
            record.addProperty("dtype", t.dtype() == DType.BFLOAT16 ? "bfloat16" : t.dtype().numpyDescr());
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) {
                shape.add(d);
            }
            record.add("shape", shape);
            JsonArray values = new JsonArray();
            for (double v : t.toDoubleArray()) {
                values.add(v);
            }
            record.add("values", values);
            expectedTensors.add(e.getKey(), record);
        }
        JsonObject expected = new JsonObject();
        expected.add("tensors", expectedTensors);
        JsonObject metadata = new JsonObject();
        metadata.addProperty(Checkpoint.METADATA_KEY, SafeTensors.read(file).metadata().get(Checkpoint.METADATA_KEY));
        expected.add("metadata", metadata);
        Gson gson = new GsonBuilder().setPrettyPrinting().create();
        Files.writeString(dir.resolve("java_checkpoint.expected.json"), gson.toJson(expected) + "\n");
        assertEquals(meta(), Checkpoint.load(file).meta());
    }
}

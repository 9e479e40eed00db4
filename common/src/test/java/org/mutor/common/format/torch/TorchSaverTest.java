package org.mutor.common.format.torch;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Round trips through the writer and the reader. The files also land in
 * target/torch-writer/ with an expected-values JSON, for
 * tools/reference/check_torch_writer.py to load with real torch.
 */
class TorchSaverTest {

    /** A checkpoint in LlamaGen's layout with every dtype and plain value type. */
    static Map<String, Object> sample() throws IOException {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("tok_embeddings.weight", HostTensor.ofFloats(new long[] {3, 2}, new float[] {1, -2, 3.5f, 0, 1e-3f, -7}));
        // A transposed view: written contiguously.
        HostTensor square = HostTensor.ofFloats(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        model.put("layers.0.attention.wqkv.weight", new HostTensor("t", DType.FLOAT32, new long[] {3, 2},
                new long[] {1, 3}, 0, square.contiguousBytes()));
        model.put("scalar", HostTensor.ofFloats(new long[] {}, new float[] {2.5f}));
        model.put("empty", HostTensor.ofFloats(new long[] {0, 4}, new float[] {}));
        model.put("ids", HostTensor.ofLongs(new long[] {3}, new long[] {-(1L << 40), 0, 17}));
        Map<String, Object> dtypes = new LinkedHashMap<>();
        for (DType dtype : DType.values()) {
            ByteBuffer bytes = ByteBuffer.allocate(4 * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < bytes.capacity(); i++) {
                bytes.put(i, (byte) (dtype == DType.BOOL ? i % 2 : 0x3C + 7 * i));
            }
            dtypes.put(dtype.shortName(), HostTensor.contiguous(dtype.shortName(), dtype, new long[] {2, 2}, bytes));
        }
        model.put("dtypes", dtypes);
        HostTensor shared = HostTensor.ofFloats(new long[] {2}, new float[] {9, 8});
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", model);
        root.put("shared_a", shared);
        root.put("shared_b", shared);
        root.put("steps", 123456789012L);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("gpt_model", "GPT-B");
        fields.put("lr", 1e-4);
        fields.put("compile", false);
        fields.put("ckpt", null);
        fields.put("image_size", 256);
        root.put("args", new ArgNamespace(fields));
        root.put("plain", Arrays.asList(1L, -2L, 70000L, -3_000_000_000L, new BigInteger("1180591620717411303424"),
                0.5, "r\u00e9gion", true, null, new byte[] {0, (byte) 0xFF, 65}, new byte[0], DType.BFLOAT16));
        return root;
    }

    @Test
    void roundTripKeepsEveryValue(@TempDir Path dir) throws IOException {
        checkRoundTrip(dir.resolve("roundtrip.pt"), false);
    }

    @Test
    void roundTripWithZip64Records(@TempDir Path dir) throws IOException {
        checkRoundTrip(dir.resolve("roundtrip64.pt"), true);
    }

    @Test
    void storagesAreAlignedTo64Bytes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("aligned.pt");
        TorchSaver.save(file, sample());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (ZipIndex.Entry entry : ZipIndex.read(file, channel).entries().values()) {
                assertEquals(0, entry.dataOffset() % 64, entry.name());
                assertEquals(0, entry.method(), entry.name());
            }
        }
    }

    @Test
    void unsupportedValueNamesItsPath(@TempDir Path dir) {
        Map<String, Object> root = Map.of("model", Map.of("w", new Object()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TorchSaver.save(dir.resolve("bad.pt"), root));
        assertTrue(e.getMessage().contains("'model/w'"), e.getMessage());
    }

    private static void checkRoundTrip(Path file, boolean zip64) throws IOException {
        Map<String, Object> written = sample();
        TorchSaver.save(file, written, zip64);
        Map<String, Object> read = TorchFile.loadDict(file, null);
        Map<String, HostTensor> expectedTensors = new LinkedHashMap<>();
        Map<String, Object> expectedValues = new LinkedHashMap<>();
        TorchFileTest.walk(written, "", expectedTensors, expectedValues);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        TorchFileTest.walk(read, "", tensors, values);
        assertEquals(expectedTensors.keySet(), tensors.keySet());
        for (String path : expectedTensors.keySet()) {
            assertEquals(expectedTensors.get(path).dtype(), tensors.get(path).dtype(), path);
            assertArrayEquals(expectedTensors.get(path).shape(), tensors.get(path).shape(), path);
            assertEquals(expectedTensors.get(path).contiguousBytes(), tensors.get(path).contiguousBytes(), path);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long storageEntries = ZipIndex.read(file, channel).entries().keySet().stream()
                    .filter(name -> name.startsWith("archive/data/")).count();
            assertEquals(5 + DType.values().length + 1, storageEntries, "one storage per distinct tensor");
        }
        assertEquals(expectedValues.keySet(), values.keySet());
        for (String path : expectedValues.keySet()) {
            Object expected = expectedValues.get(path);
            Object actual = values.get(path);
            if (expected instanceof byte[]) {
                assertArrayEquals((byte[]) expected, (byte[]) actual, path);
            } else if (expected instanceof Integer) {
                assertEquals(((Integer) expected).longValue(), actual, path);
            } else {
                assertEquals(expected, actual, path);
            }
        }
        exportForTorch(file, expectedTensors, expectedValues);
    }

    /** Copies the file to target/torch-writer/ with a JSON of its values in the fixture script's layout. */
    private static void exportForTorch(Path file, Map<String, HostTensor> tensors, Map<String, Object> values)
            throws IOException {
        JsonObject json = new JsonObject();
        JsonObject tensorJson = new JsonObject();
        tensors.forEach((path, tensor) -> {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", tensor.dtype().torchName());
            JsonArray shape = new JsonArray();
            Arrays.stream(tensor.shape()).forEach(shape::add);
            t.add("shape", shape);
            double[] data = tensor.toDoubleArray();
            t.addProperty("sum", Arrays.stream(data).sum());
            t.addProperty("sumsq", Arrays.stream(data).map(v -> v * v).sum());
            JsonArray first = new JsonArray();
            Arrays.stream(data).limit(8).forEach(first::add);
            t.add("first", first);
            tensorJson.add(path, t);
        });
        JsonObject valueJson = new JsonObject();
        values.forEach((path, value) -> {
            JsonObject v = new JsonObject();
            if (value == null) {
                v.addProperty("type", "none");
            } else if (value instanceof Boolean) {
                v.addProperty("type", "bool");
                v.addProperty("value", (Boolean) value);
            } else if (value instanceof Long || value instanceof Integer || value instanceof BigInteger) {
                v.addProperty("type", "int");
                v.addProperty("value", value.toString());
            } else if (value instanceof Double) {
                v.addProperty("type", "float");
                v.addProperty("value", (Double) value);
            } else if (value instanceof String) {
                v.addProperty("type", "str");
                v.addProperty("value", (String) value);
            } else if (value instanceof byte[]) {
                v.addProperty("type", "bytes");
                v.addProperty("value", HexFormat.of().formatHex((byte[]) value));
            } else {
                v.addProperty("type", "dtype");
                v.addProperty("value", ((DType) value).torchName());
            }
            valueJson.add(path, v);
        });
        json.add("tensors", tensorJson);
        json.add("values", valueJson);
        Path out = Path.of("target", "torch-writer");
        Files.createDirectories(out);
        String name = file.getFileName().toString().replace(".pt", "");
        Files.copy(file, out.resolve(name + ".pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(out.resolve(name + ".expected.json"),
                new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(json), StandardCharsets.UTF_8);
    }

    @Test
    void sampleHasOneStoragePerDistinctTensor() throws IOException {
        PickleWriter writer = new PickleWriter();
        writer.write(sample());
        // 5 model tensors, 10 dtypes and one tensor shared by two keys.
        assertEquals(5 + DType.values().length + 1, writer.storages().size());
    }
}

package org.mutor.common.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

class SafeTensorsTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void offline() {
        EngineSetup.offline();
    }

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(SafeTensorsTest.class.getResource("/safetensors/" + name).toURI());
    }

    /** Builds one small tensor per dtype with distinct bytes, bfloat16 included. */
    static Map<String, HostTensor> everyDtype() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (DType dtype : DType.values()) {
            byte[] bytes = new byte[6 * dtype.byteSize()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (dtype == DType.BOOL ? (i * 7) % 3 % 2 : i * 41 + dtype.ordinal());
            }
            out.put(dtype.shortName(), HostTensor.contiguous("t", dtype, new long[] {2, 3}, ByteBuffer.wrap(bytes)));
        }
        out.put("scalar", HostTensor.ofFloats(new long[0], new float[] {2.5f}));
        out.put("empty", HostTensor.ofLongs(new long[] {0, 4}, new long[0]));
        return out;
    }

    @Test
    void roundTripsEveryDtypeByteForByte() throws IOException {
        Map<String, HostTensor> tensors = everyDtype();
        Path file = tmp.resolve("all.safetensors");
        SafeTensors.write(file, tensors, Map.of("note", "round trip"));
        SafeTensors.Contents back = SafeTensors.read(file);
        assertEquals(Map.of("note", "round trip"), back.metadata());
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.tensors().keySet()));
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor read = back.tensors().get(e.getKey());
            assertEquals(e.getValue().dtype(), read.dtype(), e.getKey());
            assertArrayEquals(e.getValue().shape(), read.shape(), e.getKey());
            assertArrayEquals(bytes(e.getValue()), bytes(read), e.getKey());
        }
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "data starts 8-byte aligned");
    }

    @Test
    void readsPythonWrittenFileValueByValue() throws Exception {
        SafeTensors.Contents contents = SafeTensors.read(fixture("python_all_dtypes.safetensors"));
        JsonObject expected = JsonParser.parseString(
                Files.readString(fixture("python_all_dtypes.expected.json"))).getAsJsonObject();
        assertEquals("safetensors python", contents.metadata().get("source"));
        assertEquals(expected.keySet(), contents.tensors().keySet());
        Map<String, DType> dtypes = Map.of("float32", DType.FLOAT32, "float16", DType.FLOAT16,
                "bfloat16", DType.BFLOAT16, "float64", DType.FLOAT64, "int64", DType.INT64, "int32", DType.INT32,
                "int16", DType.INT16, "int8", DType.INT8, "uint8", DType.UINT8, "bool", DType.BOOL);
        for (Map.Entry<String, JsonElement> e : expected.entrySet()) {
            JsonObject record = e.getValue().getAsJsonObject();
            HostTensor t = contents.tensors().get(e.getKey());
            assertEquals(dtypes.get(record.get("dtype").getAsString()), t.dtype(), e.getKey());
            JsonArray shape = record.getAsJsonArray("shape");
            assertArrayEquals(toLongs(shape), t.shape(), e.getKey());
            JsonArray values = record.getAsJsonArray("values");
            if (t.dtype().isFloatingPoint()) {
                double[] actual = t.toDoubleArray();
                assertEquals(values.size(), actual.length);
                for (int i = 0; i < actual.length; i++) {
                    assertEquals(values.get(i).getAsDouble(), actual[i], 0.0, e.getKey() + "[" + i + "]");
                }
            } else {
                assertArrayEquals(toLongs(values), t.toLongArray(), e.getKey());
            }
        }
    }

    @Test
    void bfloat16WidensToFloat32InTheEngine() throws Exception {
        HostTensor bf16 = SafeTensors.read(fixture("python_all_dtypes.safetensors")).tensors().get("bf16");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray array = bf16.toNDArray(manager);
            assertEquals(DataType.FLOAT32, array.getDataType());
            assertArrayEquals(new long[] {2, 3}, array.getShape().getShape());
            assertArrayEquals(new float[] {1.0f, -2.5f, 3.140625f, 0.0078125f, -65280.0f, 0x1p-126f},
                    array.toFloatArray(), 0f);
        }
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        Path file = tmp.resolve("all.safetensors");
        SafeTensors.write(file, everyDtype(), Map.of());
        byte[] full = Files.readAllBytes(file);
        Path cut = tmp.resolve("cut.safetensors");
        for (int length : new int[] {0, 5, 8, 40, full.length - 1}) {
            Files.write(cut, Arrays.copyOf(full, length));
            FormatException e = assertThrows(FormatException.class, () -> SafeTensors.read(cut), "length " + length);
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    @Test
    void rejectsMalformedHeaders() throws IOException {
        String[] headers = {
            "[1, 2]",
            "{\"x\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}",
            "{\"x\": {\"dtype\": \"Q7\", \"shape\": [1], \"data_offsets\": [0, 4]}}",
            "{\"x\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}",
            "{\"__metadata__\": {\"k\": {\"nested\": 1}}}",
        };
        Path file = tmp.resolve("bad.safetensors");
        for (String header : headers) {
            byte[] json = header.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(8 + json.length + 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.putLong(json.length).put(json);
            Files.write(file, b.array());
            assertThrows(FormatException.class, () -> SafeTensors.read(file), header);
        }
    }

    private static long[] toLongs(JsonArray array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).getAsLong();
        }
        return out;
    }

    private static byte[] bytes(HostTensor t) {
        ByteBuffer b = t.contiguousBytes();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        assertTrue(out.length == t.byteSize());
        return out;
    }
}

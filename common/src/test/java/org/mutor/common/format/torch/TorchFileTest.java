package org.mutor.common.format.torch;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mutor.common.format.FormatException;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads fixtures written by torch 2.7.1 (tools/reference/make_torch_fixtures.py) and compares every value. */
class TorchFileTest {

    static Path fixture(String name) {
        try {
            return Path.of(TorchFileTest.class.getResource("/torch/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"everything_zip", "everything_legacy", "llamagen_like"})
    void readsValuesLikeTorchLoad(String name) throws IOException {
        Object tree = TorchFile.load(fixture(name + ".pt"));
        JsonObject expected = JsonParser.parseString(
                Files.readString(fixture(name + ".expected.json"), StandardCharsets.UTF_8)).getAsJsonObject();
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        walk(tree, "", tensors, values);
        assertEquals(expected.getAsJsonObject("tensors").keySet(), tensors.keySet());
        assertEquals(expected.getAsJsonObject("values").keySet(), values.keySet());
        for (Map.Entry<String, JsonElement> e : expected.getAsJsonObject("tensors").entrySet()) {
            assertTensor(e.getKey(), e.getValue().getAsJsonObject(), tensors.get(e.getKey()));
        }
        for (Map.Entry<String, JsonElement> e : expected.getAsJsonObject("values").entrySet()) {
            assertValue(e.getKey(), e.getValue().getAsJsonObject(), values.get(e.getKey()));
        }
    }

    /** Collects tensors and plain values by "/"-joined key path, as the fixture script does. */
    static void walk(Object value, String path, Map<String, HostTensor> tensors, Map<String, Object> values) {
        String prefix = path.isEmpty() ? "" : path + "/";
        if (value instanceof HostTensor) {
            tensors.put(path, (HostTensor) value);
        } else if (value instanceof Map) {
            ((Map<?, ?>) value).forEach((k, v) -> walk(v, prefix + k, tensors, values));
        } else if (value instanceof ArgNamespace) {
            ((ArgNamespace) value).fields().forEach((k, v) -> walk(v, prefix + k, tensors, values));
        } else if (value instanceof List) {
            List<?> list = (List<?>) value;
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), prefix + i, tensors, values);
            }
        } else {
            values.put(path, value);
        }
    }

    private static void assertTensor(String path, JsonObject expected, HostTensor actual) {
        assertEquals(expected.get("dtype").getAsString(), actual.dtype().torchName(), path);
        long[] shape = new long[expected.getAsJsonArray("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = expected.getAsJsonArray("shape").get(i).getAsLong();
        }
        assertArrayEquals(shape, actual.shape(), path);
        double[] data = actual.toDoubleArray();
        double sumsq = Arrays.stream(data).map(v -> v * v).sum();
        double expectedSumsq = expected.get("sumsq").getAsDouble();
        assertEquals(expectedSumsq, sumsq, 1e-6 * Math.max(1, Math.abs(expectedSumsq)), path + " sum of squares");
        if (actual.dtype().isFloatingPoint()) {
            double expectedSum = expected.get("sum").getAsDouble();
            assertEquals(expectedSum, Arrays.stream(data).sum(), 1e-6 * Math.max(1, Math.sqrt(expectedSumsq)),
                    path + " sum");
            for (int i = 0; i < expected.getAsJsonArray("first").size(); i++) {
                assertEquals(expected.getAsJsonArray("first").get(i).getAsDouble(), data[i], path + "[" + i + "]");
            }
        } else {
            long[] ints = actual.toLongArray();
            assertEquals(expected.get("sum").getAsLong(), Arrays.stream(ints).sum(), path + " sum");
            for (int i = 0; i < expected.getAsJsonArray("first").size(); i++) {
                assertEquals(expected.getAsJsonArray("first").get(i).getAsLong(), ints[i], path + "[" + i + "]");
            }
        }
    }

    private static void assertValue(String path, JsonObject expected, Object actual) {
        String type = expected.get("type").getAsString();
        switch (type) {
            case "none" -> assertEquals(null, actual, path);
            case "bool" -> assertEquals(expected.get("value").getAsBoolean(), actual, path);
            case "int" -> {
                assertTrue(actual instanceof Long || actual instanceof BigInteger, path + " is " + actual);
                assertEquals(expected.get("value").getAsString(), actual.toString(), path);
            }
            case "float" -> assertEquals(expected.get("value").getAsDouble(), (Double) actual, path);
            case "str" -> assertEquals(expected.get("value").getAsString(), actual, path);
            case "bytes" -> assertEquals(expected.get("value").getAsString(), HexFormat.of().formatHex((byte[]) actual), path);
            case "dtype" -> assertEquals(expected.get("value").getAsString(), ((DType) actual).torchName(), path);
            default -> throw new AssertionError("unknown type " + type + " at " + path);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"everything_zip", "everything_legacy"})
    void keepsViewsAndMapsStorages(String name) throws IOException {
        Map<String, Object> root = TorchFile.loadDict(fixture(name + ".pt"), null);
        HostTensor transposed = (HostTensor) root.get("transposed");
        assertArrayEquals(new long[] {1, 5}, transposed.strides());
        assertFalse(transposed.isContiguous());
        HostTensor slice = (HostTensor) root.get("slice");
        assertEquals(1 * 6 + 2, slice.storageOffset());
        assertArrayEquals(new long[] {6, 1}, slice.strides());
        HostTensor tail = (HostTensor) root.get("shared_tail");
        assertEquals(4, tail.storageOffset());
        assertEquals(0, ((HostTensor) root.get("shared_whole")).storageOffset());
        // A contiguous tensor's bytes are a slice of the mapped file, not a heap copy.
        assertTrue(((HostTensor) root.get("shared_whole")).contiguousBytes().isDirect());
        assertInstanceOf(ArgNamespace.class, root.get("args"));
        assertEquals("GPT-B", ((ArgNamespace) root.get("args")).get("gpt_model"));
    }

    @Test
    void flattensTheModelStateDictWithDottedKeys() throws IOException {
        Map<String, Object> model = TorchFile.loadDict(fixture("llamagen_like.pt"), "model");
        Map<String, HostTensor> state = TorchFile.flatten(model);
        assertEquals(List.of("tok_embeddings.weight", "layers.0.attention.wqkv.weight",
                "layers.0.attention_norm.weight", "layers.0.attention_norm.bias", "layers.1.attention.wqkv.weight",
                "layers.1.attention_norm.weight", "layers.1.attention_norm.bias", "output.weight"),
                List.copyOf(state.keySet()));
        assertArrayEquals(new long[] {12, 4}, state.get("layers.0.attention.wqkv.weight").shape());
        FormatException missing = assertThrows(FormatException.class,
                () -> TorchFile.loadDict(fixture("llamagen_like.pt"), "ema"));
        assertTrue(missing.getMessage().contains("'ema' is missing"), missing.getMessage());
        assertTrue(missing.getMessage().contains("[model, optimizer, steps, args]"), missing.getMessage());
    }

    @Test
    void rejectsPosixSystemWithoutRunningIt() throws IOException {
        Path marker = Path.of("/tmp/mutor-torch-fixture-was-executed");
        Files.deleteIfExists(marker);
        UnsafePickleException e = assertThrows(UnsafePickleException.class,
                () -> TorchFile.load(fixture("malicious_system.pt")));
        assertTrue(e.getMessage().contains("'posix.system'"), e.getMessage());
        assertEquals("posix", e.module());
        assertFalse(Files.exists(marker));
    }

    @Test
    void rejectsStackGlobalEval(@TempDir Path dir) throws IOException {
        byte[] pickle = CraftedFiles.pickle().shortStr("builtins").shortStr("eval").op(0x93)
                .shortStr("1+1").op(0x85).op('R').op('.').bytes();
        Path file = CraftedFiles.zip(dir.resolve("eval.pt"), Map.of("x/data.pkl", pickle));
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> TorchFile.load(file));
        assertTrue(e.getMessage().contains("'builtins.eval'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"truncated_zip.pt", "truncated_legacy.pt"})
    void truncatedFileRaisesFormatException(String name) {
        FormatException e = assertThrows(FormatException.class, () -> TorchFile.load(fixture(name)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    @Test
    void truncatedPickleIsAFormatError(@TempDir Path dir) throws IOException {
        byte[] pickle = CraftedFiles.pickle().op('}').str("model").bytes();
        byte[] cut = Arrays.copyOf(pickle, pickle.length - 2);
        Path file = CraftedFiles.zip(dir.resolve("cut.pt"), Map.of("archive/data.pkl", cut));
        FormatException e = assertThrows(FormatException.class, () -> TorchFile.load(file));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void viewOutsideItsStorageNamesTheTensor(@TempDir Path dir) throws IOException {
        // {"model": {"w": 3x3 float view}} over a storage of only 4 floats.
        byte[] pickle = CraftedFiles.pickle().op('}').op('(').str("model").op('}').op('(').str("w")
                .global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").int1(4).op('t').op('Q')
                .int1(0).int1(3).int1(3).op(0x86).int1(3).int1(1).op(0x86).op(0x89)
                .global("collections", "OrderedDict").op(')').op('R')
                .op('t').op('R').op('u').op('u').op('.').bytes();
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", pickle);
        entries.put("archive/data/0", new byte[16]);
        Path file = CraftedFiles.zip(dir.resolve("oob.pt"), entries);
        FormatException e = assertThrows(FormatException.class, () -> TorchFile.load(file));
        assertTrue(e.getMessage().contains("'model/w'"), e.getMessage());
        assertTrue(e.getMessage().contains("4 elements"), e.getMessage());
    }

    @Test
    void bigEndianFileIsRejected(@TempDir Path dir) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("archive/data.pkl", CraftedFiles.pickle().op('N').op('.').bytes());
        entries.put("archive/byteorder", "big".getBytes(StandardCharsets.US_ASCII));
        Path file = CraftedFiles.zip(dir.resolve("big.pt"), entries);
        FormatException e = assertThrows(FormatException.class, () -> TorchFile.load(file));
        assertTrue(e.getMessage().contains("'big' byte order"), e.getMessage());
    }

    @Test
    void notATorchFileIsRejected(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("text.pt"), "hello world".getBytes(StandardCharsets.US_ASCII));
        FormatException e = assertThrows(FormatException.class, () -> TorchFile.load(file));
        assertTrue(e.getMessage().contains("not a torch.save file"), e.getMessage());
    }
}

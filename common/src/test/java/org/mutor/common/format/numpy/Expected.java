package org.mutor.common.format.numpy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads fixture files and their {@code .expected.json} records, and compares tensors to them. */
final class Expected {

    private Expected() {
    }

    /** Folder of a test resource directory, such as {@code numpy}. */
    static Path resourceDir(String name) {
        try {
            return Path.of(Expected.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonObject json(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    /** Folder where tests leave Java-written files for tools/reference/check_numpy_outputs.py. */
    static Path javaWrittenDir() throws IOException {
        Path dir = Path.of(System.getProperty("mutor.javaWrittenDir", "target/java-written"));
        Files.createDirectories(dir);
        return dir;
    }

    /** Maps a NumPy descr such as {@code >f4} or {@code |b1} to the host dtype. */
    static DType dtypeOf(String descr) {
        String body = descr.substring(1);
        for (DType t : DType.values()) {
            if (t.numpyDescr() != null && t.numpyDescr().substring(1).equals(body)) {
                return t;
            }
        }
        throw new IllegalArgumentException(descr);
    }

    /** The record the fixture script writes, built from a Java tensor, for the Python-side check. */
    static JsonObject record(HostTensor tensor) {
        JsonObject out = new JsonObject();
        out.addProperty("dtype", tensor.dtype().numpyDescr());
        JsonArray shape = new JsonArray();
        for (long d : tensor.shape()) {
            shape.add(d);
        }
        out.add("shape", shape);
        JsonArray values = new JsonArray();
        if (tensor.dtype().isFloatingPoint()) {
            for (double v : tensor.toDoubleArray()) {
                values.add(v);
            }
        } else {
            for (long v : tensor.toLongArray()) {
                values.add(v);
            }
        }
        out.add("values", values);
        return out;
    }

    static void writeJson(Path file, JsonObject json) throws IOException {
        Files.writeString(file, new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n");
    }

    /** Compares dtype, shape and every value (C order) with a record written by the fixture script. */
    static void assertMatches(JsonObject record, HostTensor tensor, String what) {
        assertEquals(dtypeOf(record.get("dtype").getAsString()), tensor.dtype(), what + " dtype");
        JsonArray shape = record.getAsJsonArray("shape");
        long[] expectedShape = new long[shape.size()];
        for (int i = 0; i < expectedShape.length; i++) {
            expectedShape[i] = shape.get(i).getAsLong();
        }
        assertArrayEquals(expectedShape, tensor.shape(), what + " shape");
        JsonArray values = record.getAsJsonArray("values");
        assertEquals(values.size(), tensor.numel(), what + " element count");
        if (tensor.dtype().isFloatingPoint()) {
            double[] actual = tensor.toDoubleArray();
            double sum = 0;
            for (int i = 0; i < actual.length; i++) {
                assertEquals(values.get(i).getAsDouble(), actual[i], 0.0, what + " value " + i);
                sum += actual[i];
            }
            if (record.has("sum")) {
                assertEquals(record.get("sum").getAsDouble(), sum, 1e-9 * Math.max(1, Math.abs(sum)), what + " sum");
            }
        } else {
            long[] actual = tensor.toLongArray();
            long sum = 0;
            for (int i = 0; i < actual.length; i++) {
                assertEquals(values.get(i).getAsLong(), actual[i], what + " value " + i);
                sum += actual[i];
            }
            JsonElement expectedSum = record.get("sum");
            if (expectedSum != null) {
                assertEquals(expectedSum.getAsBigInteger().longValue(), sum, what + " sum");
            }
        }
    }
}

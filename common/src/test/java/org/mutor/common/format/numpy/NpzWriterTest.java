package org.mutor.common.format.numpy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

class NpzWriterTest {

    /** Rows of the streamed image array, each 4 x 4 x 3 bytes. */
    private static final int ROWS = 10;
    private static final int ROW_BYTES = 4 * 4 * 3;

    @TempDir
    Path tmp;

    /** Byte {@code i} of row {@code row} in the streamed test arrays. */
    static byte pattern(long row, int i) {
        return (byte) (row * 31 + i);
    }

    private static ByteBuffer rows(long first, int count, int rowBytes) {
        ByteBuffer b = ByteBuffer.allocate(count * rowBytes);
        for (int r = 0; r < count; r++) {
            for (int i = 0; i < rowBytes; i++) {
                b.put(pattern(first + r, i));
            }
        }
        return b.flip();
    }

    /** Streams an image array in uneven chunks, then two whole arrays. */
    private static Map<String, HostTensor> writeSample(Path file, long zip64Threshold) throws IOException {
        Map<String, HostTensor> written = new LinkedHashMap<>();
        long[] shape = {ROWS, 4, 4, 3};
        try (NpzWriter writer = NpzWriter.create(file, zip64Threshold)) {
            writer.beginArray("arr_0", DType.UINT8, shape);
            writer.append(rows(0, 3, ROW_BYTES));
            writer.append(HostTensor.contiguous("rows", DType.UINT8, new long[] {4, 4, 4, 3}, rows(3, 4, ROW_BYTES)));
            writer.append(rows(7, 3, ROW_BYTES));
            writer.endArray();
            HostTensor labels = HostTensor.ofLongs(new long[] {ROWS}, new long[] {5, -3, 9, 0, 1, 2, 3, 4, 1L << 40, 7});
            HostTensor weights = HostTensor.ofFloats(new long[] {2, 2}, new float[] {0.5f, -1.25f, 3e-8f, 65504f});
            writer.write("labels", labels);
            writer.write("weights", weights);
            writer.finish();
            written.put("arr_0", HostTensor.contiguous("all", DType.UINT8, shape, rows(0, ROWS, ROW_BYTES)));
            written.put("labels", labels);
            written.put("weights", weights);
        }
        return written;
    }

    @ParameterizedTest
    @ValueSource(longs = {0xFFFFFFFFL, 0})
    void streamedArchiveReadsBackValueByValue(long zip64Threshold) throws IOException {
        boolean zip64 = zip64Threshold == 0;
        String name = zip64 ? "java_zip64.npz" : "java_stored.npz";
        Path file = Expected.javaWrittenDir().resolve(name);
        Map<String, HostTensor> written = writeSample(file, zip64Threshold);
        JsonObject arrays = new JsonObject();
        JsonArray order = new JsonArray();
        written.forEach((k, v) -> {
            arrays.add(k, Expected.record(v));
            order.add(k);
        });
        JsonObject expected = new JsonObject();
        expected.add("arrays", arrays);
        expected.add("order", order);
        Expected.writeJson(file.resolveSibling(name.replace(".npz", ".expected.json")), expected);

        try (NpzReader reader = NpzReader.open(file)) {
            assertEquals(List.of("arr_0", "labels", "weights"),
                    reader.entries().stream().map(NpzReader.Entry::name).toList());
            for (NpzReader.Entry e : reader.entries()) {
                assertFalse(e.isCompressed());
                Expected.assertMatches(arrays.getAsJsonObject(e.name()), e.read(), name + "/" + e.name());
            }
            assertArrayEquals(written.get("arr_0").narrow(0, 8, 2).toLongArray(),
                    reader.entry("arr_0").readRows(8, 2).toLongArray());
        }
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(zip64, indexOf(bytes, new byte[] {0x50, 0x4b, 0x06, 0x06}) >= 0, "zip64 end record present");
        assertEquals(zip64, indexOf(bytes, new byte[] {0x50, 0x4b, 0x06, 0x07}) >= 0, "zip64 locator present");
        assertJdkZipReadsWithCrc(file, written);
    }

    /** Reads the archive with the JDK's zip stream reader, which checks each member's CRC-32 and sizes. */
    private static void assertJdkZipReadsWithCrc(Path file, Map<String, HostTensor> written) throws IOException {
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                names.add(e.getName());
                ByteArrayOutputStream data = new ByteArrayOutputStream();
                zip.transferTo(data);
                HostTensor expected = written.get(e.getName().replace(".npy", ""));
                NpyHeader header = NpyHeader.parse(ByteBuffer.wrap(data.toByteArray()), e.getName());
                assertEquals(header.dataOffset() + expected.byteSize(), data.size());
                assertEquals(ZipEntry.STORED, e.getMethod());
            }
        }
        assertEquals(List.of("arr_0.npy", "labels.npy", "weights.npy"), names);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void writesSingleNpyForTheNumpyCheck() throws IOException {
        Path dir = Expected.javaWrittenDir();
        HostTensor t = HostTensor.ofFloats(new long[] {2, 3}, new float[] {1, -2.5f, 3, 1e-20f, 6, 7});
        Npy.write(dir.resolve("java_f4.npy"), t);
        Expected.writeJson(dir.resolve("java_f4.expected.json"), Expected.record(t));
        Expected.assertMatches(Expected.record(t), Npy.read(dir.resolve("java_f4.npy")), "java_f4");
    }

    @Test
    void emptyArchiveAndEmptyArrayAreValid() throws IOException {
        Path file = tmp.resolve("empty.npz");
        NpzWriter.write(file, Map.of());
        try (NpzReader reader = NpzReader.open(file)) {
            assertTrue(reader.entries().isEmpty());
        }
        NpzWriter.write(file, Map.of("none", HostTensor.ofFloats(new long[] {0, 3}, new float[0])));
        assertArrayEquals(new long[] {0, 3}, NpzReader.readAll(file).get("none").shape());
    }

    @Test
    void guardsMisuse() throws IOException {
        Path file = tmp.resolve("misuse.npz");
        try (NpzWriter writer = NpzWriter.create(file)) {
            assertThrows(IllegalStateException.class, () -> writer.append(ByteBuffer.allocate(1)));
            writer.beginArray("a", DType.UINT8, new long[] {2, 3});
            assertThrows(IllegalStateException.class, () -> writer.beginArray("b", DType.UINT8, new long[] {1}));
            assertThrows(IllegalArgumentException.class,
                    () -> writer.append(HostTensor.ofFloats(new long[] {1, 3}, new float[3])));
            assertThrows(IllegalArgumentException.class, () -> writer.append(
                    HostTensor.contiguous("r", DType.UINT8, new long[] {1, 2}, ByteBuffer.allocate(2))));
            writer.append(ByteBuffer.allocate(4));
            assertThrows(IllegalStateException.class, () -> writer.append(ByteBuffer.allocate(3)));
            assertThrows(IllegalStateException.class, writer::endArray);
            assertThrows(IllegalStateException.class, writer::finish);
            writer.append(ByteBuffer.allocate(2));
            writer.endArray();
            assertThrows(IllegalArgumentException.class, () -> writer.beginArray("a", DType.UINT8, new long[] {1}));
            assertThrows(IllegalArgumentException.class,
                    () -> writer.beginArray("bf", DType.BFLOAT16, new long[] {1}));
        }
        assertFalse(Files.exists(file), "an unfinished archive is never renamed into place");
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(0, left.count(), "the temporary file is deleted");
        }
    }

    @Test
    void failedRunKeepsThePreviousArchive() throws IOException {
        Path file = tmp.resolve("keep.npz");
        NpzWriter.write(file, Map.of("x", HostTensor.ofLongs(new long[] {1}, new long[] {42})));
        try (NpzWriter writer = NpzWriter.create(file)) {
            writer.beginArray("x", DType.INT64, new long[] {1000});
            writer.append(ByteBuffer.allocate(80));
        }
        assertArrayEquals(new long[] {42}, NpzReader.readAll(file).get("x").toLongArray());
    }

    /**
     * Streams a uint8 array of more than 4 GiB (22,000 images of 256x256x3), as the sample
     * writer does, and reads rows past the 4 GiB mark back. Runs only with
     * MUTOR_BIG_TESTS=1; the archive is left in the Java-written folder for
     * {@code check_numpy_outputs.py --big}.
     */
    @Test
    void streamsArrayLargerThan4GiB() throws IOException {
        Assumptions.assumeTrue("1".equals(System.getenv("MUTOR_BIG_TESTS")), "set MUTOR_BIG_TESTS=1 to run");
        int rowBytes = 256 * 256 * 3;
        long rowCount = 22_000;
        Path file = Expected.javaWrittenDir().resolve("big_uint8.npz");
        // Row r is this sequence starting at (r * 31) mod 256, which equals pattern(r, i).
        byte[] cycle = new byte[rowBytes + 256];
        for (int i = 0; i < cycle.length; i++) {
            cycle[i] = (byte) i;
        }
        try (NpzWriter writer = NpzWriter.create(file)) {
            writer.beginArray("arr_0", DType.UINT8, new long[] {rowCount, 256, 256, 3});
            for (long r = 0; r < rowCount; r++) {
                writer.append(ByteBuffer.wrap(cycle, (int) ((r * 31) & 0xFF), rowBytes));
            }
            writer.endArray();
            writer.finish();
        }
        assertTrue(Files.size(file) > (4L << 30));
        try (NpzReader reader = NpzReader.open(file); RowCursor cursor = reader.entry("arr_0").rows()) {
            assertArrayEquals(new long[] {rowCount, 256, 256, 3}, reader.entry("arr_0").shape());
            HostTensor last = reader.entry("arr_0").readRows(rowCount - 2, 2);
            ByteBuffer bytes = last.contiguousBytes();
            for (int i = 0; i < 2 * rowBytes; i += 997) {
                assertEquals(pattern(rowCount - 2 + i / rowBytes, i % rowBytes), bytes.get(i), "byte " + i);
            }
            while (cursor.hasNext()) {
                long first = cursor.position();
                ByteBuffer batch = cursor.next(500).contiguousBytes();
                for (int r = 0; r < batch.capacity() / rowBytes; r++) {
                    assertEquals(pattern(first + r, rowBytes - 1), batch.get((r + 1) * rowBytes - 1));
                }
            }
        }
    }
}

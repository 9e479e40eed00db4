package org.mutor.common.format.numpy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mutor.common.format.FormatException;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

class NpyTest {

    private static final Path FIXTURES = Expected.resourceDir("numpy");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"f4", "f2", "f8", "i8", "i4", "i2", "i1", "u1", "b1", "scalar_f8", "empty_f4",
        "big_endian_f4", "big_endian_i8", "big_endian_f2", "fortran_f4", "fortran_big_endian_i4",
        "version2_f4", "version3_i2", "large_header_f8"})
    void readsNumpyFixtureValueByValue(String name) throws IOException {
        JsonObject expected = Expected.json(FIXTURES.resolve(name + ".expected.json"));
        HostTensor tensor = Npy.read(FIXTURES.resolve(name + ".npy"));
        Expected.assertMatches(expected, tensor, name);
        boolean fortran = expected.get("fortran_order").getAsBoolean();
        assertEquals(!fortran, tensor.isContiguous() || tensor.numel() <= 1, name + " layout");
    }

    @Test
    void fortranOrderIsAColumnMajorView() throws IOException {
        HostTensor t = Npy.read(FIXTURES.resolve("fortran_big_endian_i4.npy"));
        assertArrayEquals(new long[] {2, 3, 4}, t.shape());
        assertArrayEquals(new long[] {1, 2, 6}, t.strides());
        // The fixture contains arange(24).reshape(2, 3, 4) * 3 - 20.
        assertEquals((1 * 12 + 2 * 4 + 3) * 3 - 20, t.narrow(0, 1, 1).narrow(1, 2, 1).narrow(2, 3, 1).toLongArray()[0]);
    }

    @Test
    void littleEndianCOrderDataIsMemoryMapped() throws IOException {
        assertTrue(Npy.read(FIXTURES.resolve("f4.npy")).contiguousBytes().isDirect());
        assertFalse(Npy.read(FIXTURES.resolve("big_endian_f4.npy")).contiguousBytes().isDirect());
    }

    @Test
    void readsRowRanges() throws IOException {
        HostTensor all = Npy.read(FIXTURES.resolve("u1.npy"));
        HostTensor rows = Npy.readRows(FIXTURES.resolve("u1.npy"), 1, 1);
        assertArrayEquals(new long[] {1, 4, 4, 3}, rows.shape());
        assertArrayEquals(Arrays.copyOfRange(all.toLongArray(), 48, 96), rows.toLongArray());
        HostTensor fortranRows = Npy.readRows(FIXTURES.resolve("fortran_f4.npy"), 1, 2);
        float[] full = Npy.read(FIXTURES.resolve("fortran_f4.npy")).toFloatArray();
        assertArrayEquals(Arrays.copyOfRange(full, 4, 12), fortranRows.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Npy.readRows(FIXTURES.resolve("u1.npy"), 1, 2));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Npy.readRows(FIXTURES.resolve("scalar_f8.npy"), 0, 1)).getMessage().contains("0-d"));
    }

    @Test
    void writeThenReadRoundTripsEveryDtype() throws IOException {
        for (DType dtype : DType.values()) {
            if (dtype == DType.BFLOAT16) {
                continue;
            }
            byte[] bytes = new byte[2 * 3 * dtype.byteSize()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (dtype == DType.BOOL ? i % 2 : i * 37 + 5);
            }
            HostTensor t = HostTensor.contiguous("t", dtype, new long[] {2, 3}, ByteBuffer.wrap(bytes));
            Path file = tmp.resolve(dtype.shortName() + ".npy");
            Npy.write(file, t);
            HostTensor back = Npy.read(file);
            assertEquals(dtype, back.dtype());
            assertArrayEquals(new long[] {2, 3}, back.shape());
            byte[] read = new byte[bytes.length];
            back.contiguousBytes().get(read);
            assertArrayEquals(bytes, read, dtype.toString());
            assertEquals(0, (Files.size(file) - bytes.length) % 64, "data starts 64-byte aligned");
        }
    }

    @Test
    void writesNonContiguousViewsInCOrder() throws IOException {
        HostTensor fortran = Npy.read(FIXTURES.resolve("fortran_f4.npy"));
        Path file = tmp.resolve("c.npy");
        Npy.write(file, fortran);
        assertFalse(Npy.readHeader(file).fortranOrder());
        assertArrayEquals(fortran.toFloatArray(), Npy.read(file).toFloatArray());
    }

    @Test
    void rejectsBfloat16() {
        HostTensor t = HostTensor.contiguous("b", DType.BFLOAT16, new long[] {1}, ByteBuffer.allocate(2));
        assertThrows(IllegalArgumentException.class, () -> Npy.write(tmp.resolve("b.npy"), t));
    }

    @Test
    void headerEncodingPicksVersion() throws IOException {
        byte[] v1 = NpyHeader.encode(DType.FLOAT32, new long[] {5});
        assertEquals(1, v1[6]);
        assertEquals(0, v1.length % 64);
        assertTrue(new String(v1, StandardCharsets.ISO_8859_1).contains("'shape': (5,), }"));
        assertEquals(null, NpyHeader.encode(DType.FLOAT32, new long[] {5}, 1, 70000));
        byte[] v2 = NpyHeader.encode(DType.FLOAT32, new long[] {5}, 2, 70000);
        assertEquals(2, v2[6]);
        NpyHeader parsed = NpyHeader.parse(ByteBuffer.wrap(v2), "test");
        assertEquals(v2.length, parsed.dataOffset());
        assertArrayEquals(new long[] {5}, parsed.shape());
        assertEquals(DType.FLOAT32, parsed.dtype());
        NpyHeader scalar = NpyHeader.parse(ByteBuffer.wrap(NpyHeader.encode(DType.INT64, new long[0])), "test");
        assertEquals(0, scalar.shape().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ",
        "{'descr': '<f4', 'fortran_order': False}",
        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
        "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } trailing",
        "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
        "not a dict"})
    void rejectsBadHeaderDicts(String dict) throws IOException {
        Path file = tmp.resolve("bad.npy");
        Files.write(file, npyWithDict(1, dict, 8));
        FormatException e = assertThrows(FormatException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one-line message");
    }

    @Test
    void rejectsBadMagicVersionAndTruncation() throws IOException {
        Path file = tmp.resolve("bad.npy");
        Files.write(file, "PK\3\4 not numpy at all".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(assertThrows(FormatException.class, () -> Npy.read(file)).getMessage().contains("magic"));
        Files.write(file, npyWithDict(4, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8));
        assertTrue(assertThrows(FormatException.class, () -> Npy.read(file)).getMessage().contains("version 4.0"));
        Files.write(file, npyWithDict(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 7));
        assertTrue(assertThrows(FormatException.class, () -> Npy.read(file)).getMessage().contains("truncated"));
        byte[] full = Files.readAllBytes(FIXTURES.resolve("f4.npy"));
        Files.write(file, Arrays.copyOf(full, 30));
        assertThrows(FormatException.class, () -> Npy.read(file));
        Files.write(file, Arrays.copyOf(full, 5));
        assertThrows(FormatException.class, () -> Npy.read(file));
    }

    /** A .npy file with the given major version, header dict and number of data bytes. */
    private static byte[] npyWithDict(int major, String dict, int dataBytes) {
        byte[] text = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        int prefix = major == 1 ? 10 : 12;
        ByteBuffer b = ByteBuffer.allocate(prefix + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(NpyHeader.MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) text.length);
        } else {
            b.putInt(text.length);
        }
        b.put(text);
        return b.array();
    }
}

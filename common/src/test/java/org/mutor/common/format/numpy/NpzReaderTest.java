package org.mutor.common.format.numpy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mutor.common.format.FormatException;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

class NpzReaderTest {

    private static final Path FIXTURES = Expected.resourceDir("numpy");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"savez", "savez_compressed", "savez_fortran"})
    void readsNumpyArchivesValueByValue(String name) throws IOException {
        JsonObject expected = Expected.json(FIXTURES.resolve(name + ".expected.json"));
        try (NpzReader reader = NpzReader.open(FIXTURES.resolve(name + ".npz"))) {
            List<String> order = new ArrayList<>();
            expected.getAsJsonArray("order").forEach(e -> order.add(e.getAsString()));
            assertEquals(order, reader.entries().stream().map(NpzReader.Entry::name).toList());
            for (Map.Entry<String, JsonElement> e : expected.getAsJsonObject("arrays").entrySet()) {
                NpzReader.Entry entry = reader.entry(e.getKey());
                assertEquals(name.endsWith("compressed"), entry.isCompressed(), e.getKey());
                Expected.assertMatches(e.getValue().getAsJsonObject(), entry.read(), name + "/" + e.getKey());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"savez", "savez_compressed"})
    void readsRowRangesAndBatches(String name) throws IOException {
        try (NpzReader reader = NpzReader.open(FIXTURES.resolve(name + ".npz"))) {
            NpzReader.Entry images = reader.entry("arr_0");
            assertArrayEquals(new long[] {6, 4, 4, 3}, images.shape());
            long[] all = images.read().toLongArray();
            HostTensor rows = images.readRows(2, 3);
            assertArrayEquals(new long[] {3, 4, 4, 3}, rows.shape());
            assertArrayEquals(Arrays.copyOfRange(all, 2 * 48, 5 * 48), rows.toLongArray());
            assertEquals(0, images.readRows(6, 0).numel());
            List<Long> batched = new ArrayList<>();
            List<Long> batchSizes = new ArrayList<>();
            try (RowCursor cursor = images.rows()) {
                cursor.skip(1);
                while (cursor.hasNext()) {
                    HostTensor batch = cursor.next(2);
                    batchSizes.add(batch.shape()[0]);
                    for (long v : batch.toLongArray()) {
                        batched.add(v);
                    }
                }
            }
            assertEquals(List.of(2L, 2L, 1L), batchSizes);
            assertArrayEquals(Arrays.copyOfRange(all, 48, all.length),
                    batched.stream().mapToLong(Long::longValue).toArray());
            assertThrows(IllegalArgumentException.class, () -> images.readRows(5, 2));
            assertThrows(IllegalArgumentException.class, () -> reader.entry("scalar").rows());
        }
    }

    @Test
    void fortranMemberRowsAreViews() throws IOException {
        try (NpzReader reader = NpzReader.open(FIXTURES.resolve("savez_fortran.npz"))) {
            NpzReader.Entry cube = reader.entry("arr_0");
            assertEquals(true, cube.header().fortranOrder());
            double[] whole = cube.read().toDoubleArray();
            assertArrayEquals(Arrays.copyOfRange(whole, 12, 24), cube.readRows(1, 1).toDoubleArray());
        }
    }

    @Test
    void unknownNameListsTheKeys() throws IOException {
        try (NpzReader reader = NpzReader.open(FIXTURES.resolve("savez.npz"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reader.entry("nope"));
            assertTrue(e.getMessage().contains("arr_0"), e.getMessage());
        }
    }

    @Test
    void rejectsTruncatedAndForeignFiles() throws IOException {
        byte[] full = Files.readAllBytes(FIXTURES.resolve("savez.npz"));
        Path file = tmp.resolve("bad.npz");
        for (int cut : new int[] {0, 10, full.length / 2, full.length - 30, full.length - 1}) {
            Files.write(file, Arrays.copyOf(full, cut));
            assertThrows(FormatException.class, () -> NpzReader.open(file).close(), "cut at " + cut);
        }
        Files.write(file, Files.readAllBytes(FIXTURES.resolve("f4.npy")));
        assertThrows(FormatException.class, () -> NpzReader.open(file).close());
    }

    @Test
    void detectsCorruptCompressedData() throws IOException {
        byte[] bytes = Files.readAllBytes(FIXTURES.resolve("savez_compressed.npz"));
        // Flip a bit in the middle of the first member's deflated data.
        bytes[200] ^= 0x10;
        Path file = tmp.resolve("corrupt.npz");
        Files.write(file, bytes);
        assertThrows(IOException.class, () -> {
            try (NpzReader reader = NpzReader.open(file)) {
                reader.entry("arr_0").read();
            }
        });
    }
}

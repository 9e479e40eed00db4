package org.mutor.common.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.FormatException;
import org.mutor.common.format.numpy.Npy;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

class CodeShardsTest {

    /** Codes of image i, view v, position p: distinct for every triple. */
    private static int code(int i, int v, int p) {
        return (i * 7 + v * 3 + p) % 100;
    }

    private static void write(Path dir, int images, int crops, int vocab) throws IOException {
        try (CodeShardWriter writer = CodeShards.writer(dir, 2, 3, vocab, 5, crops, 4)) {
            for (int i = 0; i < images; i++) {
                int[] row = new int[crops * 6];
                for (int v = 0; v < crops; v++) {
                    for (int p = 0; p < 6; p++) {
                        row[v * 6 + p] = code(i, v, p);
                    }
                }
                writer.add(row, i % 5);
            }
        }
    }

    @Test
    void roundTripAcrossShards(@TempDir Path dir) throws IOException {
        write(dir, 10, 2, 100);
        CodeShards shards = CodeShards.open(dir);
        assertEquals(10, shards.size());
        assertEquals(2, shards.crops());
        assertEquals(6, shards.tokens());
        assertTrue(Files.exists(dir.resolve("codes-00002.npy")), "10 images in shards of 4 make 3 files");
        HostTensor stored = Npy.read(dir.resolve("codes-00000.npy"));
        assertEquals(DType.INT16, stored.dtype());
        assertArrayEquals(new long[] {4, 2, 6}, stored.shape());
        for (int i = 0; i < 10; i++) {
            assertEquals(i % 5, shards.label(i));
            for (int v = 0; v < 2; v++) {
                int[] got = shards.codes(i, v);
                for (int p = 0; p < 6; p++) {
                    assertEquals(code(i, v, p), got[p], "image " + i + " view " + v + " position " + p);
                }
            }
        }
    }

    @Test
    void largeVocabularyUsesInt32(@TempDir Path dir) throws IOException {
        write(dir, 3, 1, 40000);
        assertEquals(DType.INT32, Npy.read(dir.resolve("codes-00000.npy")).dtype());
        assertEquals(code(2, 0, 5), CodeShards.open(dir).codes(2, 0)[5]);
    }

    @Test
    void rejectsMissingMetaAndBadShapes(@TempDir Path dir) throws IOException {
        assertThrows(NoSuchFileException.class, () -> CodeShards.open(dir));
        write(dir, 3, 1, 100);
        Npy.write(dir.resolve("codes-00000.npy"), HostTensor.ofLongs(new long[] {3, 1, 5}, new long[15]));
        FormatException e = assertThrows(FormatException.class, () -> CodeShards.open(dir));
        assertTrue(e.getMessage().contains("[3, 1, 6]"), e.getMessage());
    }

    @Test
    void rejectsCodesOutsideTheVocabulary(@TempDir Path dir) throws IOException {
        write(dir, 3, 1, 100);
        long[] bad = new long[18];
        bad[7] = 100;
        Npy.write(dir.resolve("codes-00000.npy"), HostTensor.ofLongs(new long[] {3, 1, 6}, bad));
        CodeShards shards = CodeShards.open(dir);
        assertEquals(0, shards.codes(0, 0)[0]);
        assertThrows(FormatException.class, () -> shards.codes(1, 0));
    }

    @Test
    void writerRejectsBadRows(@TempDir Path dir) throws IOException {
        try (CodeShardWriter writer = CodeShards.writer(dir, 2, 2, 10, 3, 1, 8)) {
            assertThrows(IllegalArgumentException.class, () -> writer.add(new int[3], 0));
            assertThrows(IllegalArgumentException.class, () -> writer.add(new int[] {0, 1, 2, 10}, 0));
            assertThrows(IllegalArgumentException.class, () -> writer.add(new int[4], 3));
        }
    }
}

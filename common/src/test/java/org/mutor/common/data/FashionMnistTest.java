package org.mutor.common.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.FormatException;
import org.mutor.common.image.RgbImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Reads the installed Debian package {@code dataset-fashion-mnist}. Expected checksums
 * were computed with numpy from the .gz files:
 * {@code np.frombuffer(gzip.open(f).read(), np.uint8, offset=16)[:784]}, then
 * {@code zlib.crc32} and {@code sum} of those bytes.
 */
class FashionMnistTest {

    private static FashionMnist.Split train;
    private static FashionMnist.Split test;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws IOException {
        assumeTrue(Files.isDirectory(Path.of(FashionMnist.DEFAULT_FOLDER)),
                "apt-get install dataset-fashion-mnist to run this test");
        train = FashionMnist.train();
        test = FashionMnist.test();
    }

    @Test
    void splitsHaveTheirSizes() {
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
    }

    @Test
    void trainLabelsAreBalanced() {
        int[] counts = new int[10];
        for (int i = 0; i < train.size(); i++) {
            counts[train.label(i)]++;
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, counts[c], FashionMnist.CLASS_NAMES.get(c));
        }
    }

    @Test
    void firstAndLastImagesMatchNumpy() {
        assertEquals(9, train.label(0));
        assertEquals(5, train.label(59_999));
        assertEquals(9, test.label(0));
        assertEquals(5, test.label(9_999));
        assertEquals(4_067_475_125L, crc(train.images().image(0)));
        assertEquals(1_384_319_072L, crc(test.images().image(0)));
        assertEquals(76_247, sum(train.images().image(0)));
        assertEquals(16_684, sum(train.images().image(59_999)));
        assertEquals(24_390, sum(test.images().image(9_999)));
        assertEquals(217, train.image(0).sample(14, 14, 1));
        assertEquals("Ankle boot", FashionMnist.CLASS_NAMES.get(train.label(0)));
    }

    @Test
    void tokenizerInputIsPaddedWithMinusOne() {
        RgbImage padded = train.tokenizerImage(0);
        assertEquals(32, padded.width());
        assertEquals(32, padded.height());
        assertEquals(217, padded.sample(14 + 2, 14 + 2, 0));
        float[] chw = train.tokenizerInput(0);
        assertEquals(3 * 32 * 32, chw.length);
        for (int c = 0; c < 3; c++) {
            int plane = c * 1024;
            assertEquals(-1f, chw[plane]); // Corner, padding.
            assertEquals(-1f, chw[plane + 31 * 32 + 31]);
            assertEquals(-1f, chw[plane + 1 * 32 + 16]); // Row 1 is padding.
            assertEquals(217 / 127.5f - 1f, chw[plane + 16 * 32 + 16], 1e-6f);
        }
    }

    @Test
    void missingFolderNamesThePackage() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> FashionMnist.train(dir));
        assertTrue(e.getMessage().contains("dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void countMismatchIsAFormatException() throws IOException {
        Path source = Path.of(FashionMnist.DEFAULT_FOLDER);
        Files.copy(source.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-images-idx3-ubyte.gz"));
        Files.copy(source.resolve("train-labels-idx1-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"));
        assertThrows(FormatException.class, () -> FashionMnist.test(dir));
    }

    private static long crc(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    private static int sum(byte[] data) {
        int total = 0;
        for (byte b : data) {
            total += b & 0xFF;
        }
        return total;
    }
}

package org.mutor.common.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.FormatException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

class IdxFilesTest {

    @TempDir
    Path dir;

    private static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer header = ByteBuffer.allocate(4 + 4 * dims.length);
        header.putInt(magic);
        for (int d : dims) {
            header.putInt(d);
        }
        byte[] out = Arrays.copyOf(header.array(), header.capacity() + data.length);
        System.arraycopy(data, 0, out, header.capacity(), data.length);
        return out;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static byte[] pixels(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) (i * 37);
        }
        return data;
    }

    private Path write(String name, byte[] data) throws IOException {
        return Files.write(dir.resolve(name), data);
    }

    @Test
    void plainAndGzipImagesReadAlike() throws IOException {
        byte[] file = idx(2051, new int[] {2, 3, 4}, pixels(24));
        for (Path path : new Path[] {write("plain", file), write("packed.gz", gzip(file))}) {
            IdxFiles.IdxImages images = IdxFiles.readImages(path);
            assertEquals(2, images.count());
            assertEquals(3, images.rows());
            assertEquals(4, images.columns());
            assertArrayEquals(pixels(24), images.pixels());
            assertArrayEquals(Arrays.copyOfRange(pixels(24), 12, 24), images.image(1));
        }
    }

    @Test
    void labelsRead() throws IOException {
        byte[] labels = {3, 1, 4, 1, 5};
        assertArrayEquals(labels, IdxFiles.readLabels(write("l.gz", gzip(idx(2049, new int[] {5}, labels)))));
    }

    @Test
    void swappedFilesAreRejectedByMagic() throws IOException {
        Path labels = write("labels", idx(2049, new int[] {24}, pixels(24)));
        FormatException e = assertThrows(FormatException.class, () -> IdxFiles.readImages(labels));
        assertTrue(e.getMessage().contains("2049"), e.getMessage());
        Path images = write("images", idx(2051, new int[] {2, 3, 4}, pixels(24)));
        assertThrows(FormatException.class, () -> IdxFiles.readLabels(images));
    }

    @Test
    void truncationAndTrailingBytesAreRejected() throws IOException {
        byte[] file = idx(2051, new int[] {2, 3, 4}, pixels(24));
        Path cut = write("cut", Arrays.copyOf(file, file.length - 1));
        FormatException e = assertThrows(FormatException.class, () -> IdxFiles.readImages(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertThrows(FormatException.class, () -> IdxFiles.readImages(write("header", Arrays.copyOf(file, 10))));
        assertThrows(FormatException.class,
                () -> IdxFiles.readImages(write("long", Arrays.copyOf(file, file.length + 1))));
        byte[] packed = gzip(file);
        assertThrows(FormatException.class,
                () -> IdxFiles.readImages(write("cut.gz", Arrays.copyOf(packed, packed.length - 12))));
    }

    @Test
    void negativeAndHugeSizesAreRejected() throws IOException {
        assertThrows(FormatException.class,
                () -> IdxFiles.readImages(write("neg", idx(2051, new int[] {-1, 3, 4}, new byte[0]))));
        assertThrows(FormatException.class,
                () -> IdxFiles.readImages(write("huge", idx(2051, new int[] {70000, 200, 200}, new byte[0]))));
    }
}

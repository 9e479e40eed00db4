package org.mutor.common.data;

import org.mutor.common.format.FormatException;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files of MNIST and Fashion-MNIST, gzip-compressed or plain (detected
 * from the leading bytes). Only unsigned-byte data is accepted: images with magic
 * 2051 ({@code idx3-ubyte}: count, rows, columns) and labels with magic 2049
 * ({@code idx1-ubyte}: count). Header integers are big-endian. The data must be
 * exactly as long as the header declares.
 */
public final class IdxFiles {

    /** Magic number of a 3-dimensional unsigned-byte IDX file (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of a 1-dimensional unsigned-byte IDX file (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    /**
     * Images of an IDX file, pixels row-major per image and images one after another.
     *
     * @param count number of images
     * @param rows image height
     * @param columns image width
     * @param pixels {@code count * rows * columns} bytes, shared, not copied
     */
    public record IdxImages(int count, int rows, int columns, byte[] pixels) {

        /** Copies the pixels of image {@code index}, {@code rows * columns} bytes. */
        public byte[] image(int index) {
            if (index < 0 || index >= count) {
                throw new IndexOutOfBoundsException("image index " + index + " outside [0, " + count + ")");
            }
            int size = rows * columns;
            byte[] out = new byte[size];
            System.arraycopy(pixels, index * size, out, 0, size);
            return out;
        }
    }

    private IdxFiles() {
    }

    /**
     * Reads an {@code idx3-ubyte} image file.
     *
     * @throws FormatException on a wrong magic number, an invalid size, truncation or trailing bytes
     */
    public static IdxImages readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            checkMagic(file, readHeaderInt(in, file), IMAGES_MAGIC, "idx3-ubyte image");
            int count = readSize(in, file, "image count");
            int rows = readSize(in, file, "row count");
            int columns = readSize(in, file, "column count");
            long total = (long) count * rows * columns;
            if (total > Integer.MAX_VALUE - 8) {
                throw new FormatException("IDX file " + file + " declares " + count + " images of " + rows + "x"
                        + columns + ", over 2 GiB of pixels; the header is corrupt or the file is not supported");
            }
            return new IdxImages(count, rows, columns, readExactly(in, file, (int) total));
        }
    }

    /**
     * Reads an {@code idx1-ubyte} label file.
     *
     * @throws FormatException on a wrong magic number, truncation or trailing bytes
     */
    public static byte[] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            checkMagic(file, readHeaderInt(in, file), LABELS_MAGIC, "idx1-ubyte label");
            int count = readSize(in, file, "label count");
            return readExactly(in, file, count);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        buffered.mark(2);
        int first = buffered.read();
        int second = buffered.read();
        buffered.reset();
        InputStream in = buffered;
        if (first == 0x1F && second == 0x8B) {
            try {
                in = new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
            } catch (ZipException | EOFException e) {
                buffered.close();
                throw new FormatException("IDX file " + file + " has a corrupt gzip header (" + e.getMessage()
                        + "); re-download the file", e);
            }
        }
        return new DataInputStream(in);
    }

    private static void checkMagic(Path file, int magic, int expected, String kind) throws FormatException {
        if (magic != expected) {
            throw new FormatException("file " + file + " has magic number " + magic + " but an " + kind
                    + " file has " + expected + "; check that images and labels are not swapped");
        }
    }

    private static int readHeaderInt(DataInputStream in, Path file) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new FormatException("IDX file " + file + " is truncated inside its header; re-download the file", e);
        } catch (ZipException e) {
            throw corruptGzip(file, e);
        }
    }

    private static int readSize(DataInputStream in, Path file, String what) throws IOException {
        int value = readHeaderInt(in, file);
        if (value < 0) {
            throw new FormatException("IDX file " + file + " has invalid " + what + " " + value
                    + "; the header is corrupt");
        }
        return value;
    }

    private static byte[] readExactly(DataInputStream in, Path file, int length) throws IOException {
        try {
            byte[] data = in.readNBytes(length);
            if (data.length != length) {
                throw new FormatException("IDX file " + file + " is truncated: its header declares " + length
                        + " data bytes but only " + data.length + " follow; re-download the file");
            }
            if (in.read() != -1) {
                throw new FormatException("IDX file " + file + " has bytes after the " + length
                        + " data bytes its header declares; the header or the file is corrupt");
            }
            return data;
        } catch (EOFException | ZipException e) {
            throw corruptGzip(file, e);
        }
    }

    private static FormatException corruptGzip(Path file, IOException cause) {
        return new FormatException("IDX file " + file + " has corrupt or truncated gzip data (" + cause.getMessage()
                + "); re-download the file", cause);
    }
}

package org.mutor.common.format.numpy;

import org.mutor.common.format.AtomicFiles;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads and writes single NumPy arrays in the {@code .npy} format (versions 1.0, 2.0
 * and 3.0 on read).
 *
 * <p>Reading memory-maps little-endian C-order data; big-endian data is byte-swapped
 * into a heap copy, and Fortran-order data comes back as a view with column-major
 * strides. Writing always produces C-order little-endian data.
 */
public final class Npy {

    private Npy() {
    }

    /**
     * Reads a .npy file, memory-mapping its data.
     *
     * @throws org.mutor.common.format.FormatException when the header is malformed, the
     *     dtype unsupported, or the data shorter than the shape needs
     */
    public static HostTensor read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new StoredArray(channel, file.toString(), 0, channel.size()).read(file.getFileName().toString());
        }
    }

    /** Reads only the header of a .npy file. */
    public static NpyHeader readHeader(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return NpyData.readHeader(channel, 0, channel.size(), file.toString());
        }
    }

    /**
     * Reads rows [start, start + count) of the first axis of a .npy file, mapping only
     * those rows (a Fortran-order file is mapped whole, then narrowed).
     */
    public static HostTensor readRows(Path file, long start, long count) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new StoredArray(channel, file.toString(), 0, channel.size())
                    .readRows(file.getFileName().toString(), start, count);
        }
    }

    /**
     * Writes a tensor as a C-order little-endian .npy file (header version 1.0, or 2.0
     * when the header is too long for 1.0), atomically.
     *
     * @throws IllegalArgumentException for bfloat16, which NumPy has no type for
     */
    public static void write(Path file, HostTensor tensor) throws IOException {
        ByteBuffer header = ByteBuffer.wrap(NpyHeader.encode(tensor.dtype(), tensor.shape()));
        ByteBuffer data = tensor.contiguousBytes();
        AtomicFiles.write(file, channel -> {
            while (header.hasRemaining()) {
                channel.write(header);
            }
            while (data.hasRemaining()) {
                channel.write(data);
            }
        });
    }
}

package org.mutor.common.format.numpy;

import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A .npy array stored uncompressed in a region of a file (a plain .npy file, or a
 * STORED entry of an .npz zip), read by memory-mapping the region.
 *
 * <p>Mapped buffers stay valid after the channel closes, so tensors outlive the reader.
 */
final class StoredArray {

    private final FileChannel channel;
    private final String source;
    private final NpyHeader header;
    private final long dataStart;

    /**
     * @param start file position of the .npy magic string
     * @param length bytes of the .npy array, header included
     */
    StoredArray(FileChannel channel, String source, long start, long length) throws IOException {
        this.channel = channel;
        this.source = source;
        this.header = NpyData.readHeader(channel, start, length, source);
        this.dataStart = start + header.dataOffset();
    }

    NpyHeader header() {
        return header;
    }

    /** Maps the whole array. */
    HostTensor read(String name) throws IOException {
        return NpyData.wrap(name, header, header.shape(), map(dataStart, header.dataBytes()));
    }

    /** Maps rows [start, start + count) of the first axis; a Fortran-order array is mapped whole. */
    HostTensor readRows(String name, long start, long count) throws IOException {
        NpyData.checkRows(header, start, count, source);
        if (header.fortranOrder()) {
            return read(name).narrow(0, start, count);
        }
        long rowBytes = NpyData.rowBytes(header, source);
        long[] shape = NpyData.withRows(header.shape(), count);
        return NpyData.wrap(name, header, shape, map(dataStart + start * rowBytes, count * rowBytes));
    }

    private MappedByteBuffer map(long position, long size) throws IOException {
        if (size > Integer.MAX_VALUE) {
            throw new IOException(source + ": " + size + " bytes exceed the 2 GiB that one buffer can map; "
                    + "read the array in row ranges (readRows) instead");
        }
        MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, position, size);
        mapped.order(ByteOrder.LITTLE_ENDIAN);
        return mapped;
    }
}

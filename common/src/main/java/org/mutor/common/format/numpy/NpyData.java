package org.mutor.common.format.numpy;

import org.mutor.common.format.FormatException;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/** Turns the element bytes that follow a .npy header into host tensors. */
final class NpyData {

    private NpyData() {
    }

    /**
     * Wraps {@code data} (exactly {@link NpyHeader#dataBytes()} bytes, or the rows asked for)
     * as a tensor: big-endian data is byte-swapped into a little-endian copy, Fortran
     * order becomes a view with column-major strides, anything else is a view.
     *
     * @param shape the shape of the elements in {@code data}, which may be a row range
     *     of the header's shape
     */
    static HostTensor wrap(String name, NpyHeader header, long[] shape, ByteBuffer data) {
        ByteBuffer little = header.bigEndian() ? swapToLittleEndian(data, header.dtype().byteSize()) : data;
        if (!header.fortranOrder()) {
            return HostTensor.contiguous(name, header.dtype(), shape, little);
        }
        return new HostTensor(name, header.dtype(), shape, fortranStrides(shape), 0, little);
    }

    /** Column-major strides, in elements: the first axis varies fastest. */
    static long[] fortranStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long step = 1;
        for (int i = 0; i < shape.length; i++) {
            strides[i] = step;
            step *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** Copies big-endian elements of {@code size} bytes into a new little-endian buffer. */
    static ByteBuffer swapToLittleEndian(ByteBuffer data, int size) {
        ByteBuffer in = data.duplicate().order(ByteOrder.BIG_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(in.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        switch (size) {
            case 2 -> out.asShortBuffer().put(in.asShortBuffer());
            case 4 -> out.asIntBuffer().put(in.asIntBuffer());
            case 8 -> out.asLongBuffer().put(in.asLongBuffer());
            default -> out.put(in);
        }
        return out.rewind();
    }

    /** Bytes in one row (one index of the first axis); 0-d arrays have no rows. */
    static long rowBytes(NpyHeader header, String source) {
        long[] shape = header.shape();
        if (shape.length == 0) {
            throw new IllegalArgumentException(source + ": a 0-d array has no rows; read it whole");
        }
        long n = header.dtype().byteSize();
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** Checks that rows [start, start + count) lie inside the first axis. */
    static void checkRows(NpyHeader header, long start, long count, String source) {
        rowBytes(header, source);
        long rows = header.shape().length == 0 ? 0 : header.shape()[0];
        if (start < 0 || count < 0 || start > rows - count) {
            throw new IllegalArgumentException(source + ": rows [" + start + ", " + (start + count)
                    + ") are outside the array's " + rows + " rows (shape " + Arrays.toString(header.shape()) + ")");
        }
    }

    /** {@code shape} with the first axis replaced by {@code count}. */
    static long[] withRows(long[] shape, long count) {
        long[] out = shape.clone();
        out[0] = count;
        return out;
    }

    /** Reads the .npy header of an array whose bytes start at {@code position} of {@code channel}. */
    static NpyHeader readHeader(FileChannel channel, long position, long available, String source)
            throws IOException {
        int preambleSize = (int) Math.min(NpyHeader.PREAMBLE_BYTES, available);
        ByteBuffer preamble = ByteBuffer.allocate(preambleSize);
        readFully(channel, preamble, position, source);
        preamble.flip();
        int length = NpyHeader.headerLength(preamble, source);
        if (length > available) {
            throw new FormatException(source + ": .npy header of " + length + " bytes is longer than the "
                    + available + " bytes stored");
        }
        ByteBuffer header = ByteBuffer.allocate(length);
        readFully(channel, header, position, source);
        header.flip();
        NpyHeader parsed = NpyHeader.parse(header, source);
        if (parsed.dataBytes() != available - length) {
            throw new FormatException(source + ": .npy shape " + Arrays.toString(parsed.shape()) + " of "
                    + parsed.dtype().shortName() + " needs " + parsed.dataBytes() + " data bytes but "
                    + (available - length) + " are stored (truncated or corrupt)");
        }
        return parsed;
    }

    static void readFully(FileChannel channel, ByteBuffer buffer, long position, String source) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new FormatException(source + ": unexpected end of file at byte " + at);
            }
            at += n;
        }
    }
}

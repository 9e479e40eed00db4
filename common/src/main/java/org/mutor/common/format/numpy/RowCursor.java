package org.mutor.common.format.numpy;

import org.mutor.common.format.FormatException;
import org.mutor.common.tensor.HostTensor;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads consecutive row ranges (ranges of the first axis) of one .npz member, for
 * example 50,000 images in batches of 250. A stored member maps each range; a
 * deflated one inflates once from start to end, never holding more than one range.
 */
public final class RowCursor implements Closeable {

    private final NpzReader.Entry entry;
    private final long rowBytes;
    private long row;
    private InputStream stream;

    RowCursor(NpzReader.Entry entry) throws IOException {
        this.entry = entry;
        this.rowBytes = NpyData.rowBytes(entry.header(), entry.sourceName());
        if (entry.header().fortranOrder() && entry.stored() == null) {
            throw new FormatException(entry.sourceName() + ": a compressed Fortran-order array cannot be read "
                    + "in row ranges; read it whole");
        }
    }

    /** Index of the next row to read. */
    public long position() {
        return row;
    }

    /** Rows left to read. */
    public long remaining() {
        return entry.rowCount() - row;
    }

    public boolean hasNext() {
        return remaining() > 0;
    }

    /** Skips {@code count} rows (or all that remain, if fewer). */
    public void skip(long count) throws IOException {
        long n = Math.min(Math.max(count, 0), remaining());
        if (entry.stored() == null) {
            InputStream in = stream();
            long bytes = n * rowBytes;
            while (bytes > 0) {
                long skipped = in.skip(bytes);
                if (skipped <= 0) {
                    throw truncated();
                }
                bytes -= skipped;
            }
        }
        row += n;
    }

    /**
     * Reads the next {@code maxRows} rows, or fewer at the end of the array.
     *
     * @throws java.util.NoSuchElementException when no rows remain
     */
    public HostTensor next(long maxRows) throws IOException {
        if (!hasNext()) {
            throw new java.util.NoSuchElementException(entry.sourceName() + ": all " + entry.rowCount()
                    + " rows have been read");
        }
        if (maxRows <= 0) {
            throw new IllegalArgumentException("row count must be positive, got " + maxRows);
        }
        long count = Math.min(maxRows, remaining());
        HostTensor out;
        if (entry.stored() != null) {
            out = entry.stored().readRows(entry.name(), row, count);
        } else {
            long bytes = count * rowBytes;
            if (bytes > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(count + " rows of " + rowBytes + " bytes exceed 2 GiB; "
                        + "read fewer rows at a time");
            }
            byte[] data = stream().readNBytes((int) bytes);
            if (data.length != bytes) {
                throw truncated();
            }
            out = NpyData.wrap(entry.name(), entry.header(), NpyData.withRows(entry.shape(), count),
                    ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN));
        }
        row += count;
        return out;
    }

    private InputStream stream() throws IOException {
        if (stream == null) {
            stream = entry.inflate();
            long header = entry.header().dataOffset();
            if (stream.readNBytes((int) header).length != header) {
                throw truncated();
            }
        }
        return stream;
    }

    private FormatException truncated() {
        return new FormatException(entry.sourceName() + ": compressed data ends before row " + row);
    }

    @Override
    public void close() throws IOException {
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }
}

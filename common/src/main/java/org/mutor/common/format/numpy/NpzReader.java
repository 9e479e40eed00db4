package org.mutor.common.format.numpy;

import org.mutor.common.format.FormatException;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Reads NumPy {@code .npz} archives: zips of {@code .npy} members, stored (as
 * {@code np.savez} writes them) or deflated ({@code np.savez_compressed}), zip64
 * included.
 *
 * <p>Stored members are memory-mapped straight from the archive and can be read in
 * row ranges without touching the rest, so a 10 GB sample file reads batch by batch.
 * Deflated members are inflated as a stream; a whole-member read checks the CRC-32,
 * mapped reads do not (checking would read every byte).
 *
 * <p>Tensors read from a stored member stay valid after the reader is closed.
 */
public final class NpzReader implements Closeable {

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Entry> entries;

    private NpzReader(Path file, FileChannel channel, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.entries = entries;
    }

    /**
     * Opens an archive and reads the header of every member.
     *
     * @throws FormatException when the zip structure or a member's .npy header is corrupt
     */
    public static NpzReader open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            Map<String, Entry> entries = new LinkedHashMap<>();
            NpzReader reader = new NpzReader(file, channel, entries);
            for (ZipDirectory.Member member : ZipDirectory.read(channel, file.toString())) {
                String key = member.name().endsWith(".npy")
                        ? member.name().substring(0, member.name().length() - 4) : member.name();
                if (entries.put(key, reader.new Entry(key, member)) != null) {
                    throw new FormatException(file + ": duplicate member name '" + key + "'");
                }
            }
            return reader;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads every member of an archive into memory-mapped or heap tensors, by name. */
    public static Map<String, HostTensor> readAll(Path file) throws IOException {
        try (NpzReader reader = open(file)) {
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (Entry e : reader.entries()) {
                out.put(e.name(), e.read());
            }
            return out;
        }
    }

    /** Members in archive order. */
    public List<Entry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(entries.values()));
    }

    /**
     * Returns the member with this key ({@code arr_0} for {@code arr_0.npy}).
     *
     * @throws IllegalArgumentException naming the keys that exist
     */
    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(file + ": no array named '" + name + "'; the archive contains "
                    + entries.keySet());
        }
        return e;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** One array of the archive. */
    public final class Entry {

        private final String name;
        private final ZipDirectory.Member member;
        private final NpyHeader header;
        private final StoredArray stored;

        private Entry(String name, ZipDirectory.Member member) throws IOException {
            this.name = name;
            this.member = member;
            String source = source();
            if (member.method() == ZipDirectory.METHOD_STORED) {
                this.stored = new StoredArray(channel, source, member.dataStart(), member.size());
                this.header = stored.header();
            } else {
                this.stored = null;
                try (InputStream in = inflate()) {
                    byte[] preamble = in.readNBytes(NpyHeader.PREAMBLE_BYTES);
                    int length = NpyHeader.headerLength(ByteBuffer.wrap(preamble), source);
                    ByteBuffer all = ByteBuffer.allocate(Math.max(length, preamble.length));
                    all.put(preamble).put(in.readNBytes(Math.max(0, length - preamble.length))).flip();
                    this.header = NpyHeader.parse(all, source);
                }
                if (header.dataOffset() + header.dataBytes() != member.size()) {
                    throw new FormatException(source + ": .npy shape and dtype need "
                            + (header.dataOffset() + header.dataBytes()) + " bytes but the member holds "
                            + member.size());
                }
            }
        }

        private String source() {
            return file + " member " + member.name();
        }

        /** Key of the array, the member name without {@code .npy}. */
        public String name() {
            return name;
        }

        public DType dtype() {
            return header.dtype();
        }

        public long[] shape() {
            return header.shape();
        }

        /** Returns the member's .npy header. */
        public NpyHeader header() {
            return header;
        }

        /** True for a deflated member, which cannot be memory-mapped. */
        public boolean isCompressed() {
            return stored == null;
        }

        /** Reads the whole array: mapped for a stored member, inflated to the heap (CRC-checked) otherwise. */
        public HostTensor read() throws IOException {
            if (stored != null) {
                return stored.read(name);
            }
            long size = member.size() - header.dataOffset();
            if (size > Integer.MAX_VALUE) {
                throw new IOException(source() + ": " + size + " bytes of compressed data exceed 2 GiB; "
                        + "read it in row ranges with rows()");
            }
            try (InputStream in = inflate()) {
                CRC32 crc = new CRC32();
                byte[] headerBytes = in.readNBytes(header.dataOffset());
                crc.update(headerBytes);
                byte[] data = in.readNBytes((int) size);
                crc.update(data);
                if (data.length != size || in.read() >= 0) {
                    throw new FormatException(source() + ": inflated data length differs from the "
                            + member.size() + " bytes the directory records");
                }
                if (crc.getValue() != member.crc()) {
                    throw new FormatException(source() + ": CRC-32 mismatch (corrupt archive)");
                }
                return NpyData.wrap(name, header, header.shape(),
                        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN));
            }
        }

        /**
         * Reads rows [start, start + count) of the first axis. For a stored C-order member
         * only those rows are mapped; a deflated member is inflated from its start, so read
         * consecutive ranges through {@link #rows} instead.
         */
        public HostTensor readRows(long start, long count) throws IOException {
            if (stored != null) {
                return stored.readRows(name, start, count);
            }
            NpyData.checkRows(header, start, count, source());
            if (count == 0) {
                return NpyData.wrap(name, header, NpyData.withRows(header.shape(), 0), ByteBuffer.allocate(0));
            }
            if (header.fortranOrder()) {
                return read().narrow(0, start, count);
            }
            try (RowCursor cursor = rows()) {
                cursor.skip(start);
                return cursor.next(count);
            }
        }

        /** Opens a cursor that reads consecutive row ranges from row 0. */
        public RowCursor rows() throws IOException {
            return new RowCursor(this);
        }

        long rowCount() {
            return header.shape()[0];
        }

        String sourceName() {
            return source();
        }

        StoredArray stored() {
            return stored;
        }

        /** Inflates the member from its first byte. */
        InputStream inflate() {
            return new InflaterInputStream(new RegionStream(channel, member.dataStart(), member.compressedSize()),
                    new Inflater(true), 64 * 1024) {
                @Override
                public void close() throws IOException {
                    super.close();
                    inf.end();
                }
            };
        }
    }

    /** Reads a region of a channel with positional reads, leaving the channel's position alone. */
    private static final class RegionStream extends InputStream {
        private final FileChannel channel;
        private long position;
        private final long end;

        RegionStream(FileChannel channel, long start, long length) {
            this.channel = channel;
            this.position = start;
            this.end = start + length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (position >= end) {
                return -1;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
            if (n > 0) {
                position += n;
            }
            return n;
        }
    }
}

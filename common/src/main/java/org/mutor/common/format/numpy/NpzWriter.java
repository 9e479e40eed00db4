package org.mutor.common.format.numpy;

import org.mutor.common.format.AtomicFiles;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Writes a NumPy {@code .npz} archive as a stream: each array is declared with its
 * dtype and shape, then its bytes are appended chunk by chunk, so an array far larger
 * than the heap (50,000 images of 256x256x3 bytes) is never held in memory.
 *
 * <p>Members are STORED (uncompressed), so {@link NpzReader} can memory-map them. The
 * CRC-32 is computed while streaming and patched into the local header when the array
 * ends; sizes are known from the declared shape. Zip64 fields are written where a size,
 * offset or count needs them. The archive goes to a temporary sibling that
 * {@link #finish} renames over the target; {@link #close} without {@link #finish}
 * deletes it, so a failed run never leaves a partial archive under the final name.
 */
public final class NpzWriter implements Closeable {

    private static final int VERSION_ZIP64 = 45;
    private static final int VERSION_PLAIN = 20;
    /** Unix host, regular file with permissions rw-r--r--. */
    private static final int MADE_BY_UNIX = 3 << 8;
    private static final int FILE_ATTRIBUTES = 0100644 << 16;
    /** 1980-01-01 00:00 in MS-DOS format, so archives are byte-for-byte reproducible. */
    private static final int DOS_DATE = (1 << 5) | 1;

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final long zip64Threshold;
    private ByteBuffer directoryBuffer;
    private final Set<String> names = new HashSet<>();
    private int count;
    private long position;
    private boolean finished;
    private boolean failed;

    private Member open;

    /** The member being written. */
    private static final class Member {
        final byte[] name;
        final DType dtype;
        final long[] shape;
        final long offset;
        final long size;
        final boolean zip64Size;
        final CRC32 crc = new CRC32();
        long written;

        Member(byte[] name, DType dtype, long[] shape, long offset, long size, boolean zip64Size) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.offset = offset;
            this.size = size;
            this.zip64Size = zip64Size;
        }
    }

    private NpzWriter(Path file, long zip64Threshold) throws IOException {
        this.target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        this.temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            // Temporary files start as owner-only; a sample archive is meant to be shared like any output.
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: keep its default permissions.
        }
        this.channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        this.zip64Threshold = zip64Threshold;
        this.directoryBuffer = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Starts writing an archive that will replace {@code file} when {@link #finish} is called. */
    public static NpzWriter create(Path file) throws IOException {
        return new NpzWriter(file, ZipDirectory.U32_MAX);
    }

    /**
     * As {@link #create}, with zip64 records used for every size or offset at or above
     * {@code zip64Threshold}; tests pass 0 to exercise zip64 on a small file.
     */
    static NpzWriter create(Path file, long zip64Threshold) throws IOException {
        return new NpzWriter(file, zip64Threshold);
    }

    /** Writes tensors to an archive atomically, one member per entry. */
    public static void write(Path file, Map<String, HostTensor> arrays) throws IOException {
        try (NpzWriter writer = create(file)) {
            for (Map.Entry<String, HostTensor> e : arrays.entrySet()) {
                writer.write(e.getKey(), e.getValue());
            }
            writer.finish();
        }
    }

    /** Writes one whole array as member {@code name + ".npy"}. */
    public void write(String name, HostTensor tensor) throws IOException {
        beginArray(name, tensor.dtype(), tensor.shape());
        append(tensor.contiguousBytes());
        endArray();
    }

    /**
     * Starts member {@code name + ".npy"} holding a C-order array of this dtype and shape;
     * exactly its bytes must follow through {@code append}.
     *
     * @throws IllegalStateException when another array is still open
     * @throws IllegalArgumentException for a repeated name, a negative size, or bfloat16
     */
    public void beginArray(String name, DType dtype, long[] shape) throws IOException {
        checkUsable();
        if (open != null) {
            throw new IllegalStateException("array '" + new String(open.name, StandardCharsets.UTF_8)
                    + "' is still open; call endArray() before beginning '" + name + "'");
        }
        if (name.isEmpty() || !names.add(name)) {
            throw new IllegalArgumentException("array name '" + name + "' is empty or already in the archive");
        }
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("array '" + name + "' has a negative size in shape "
                        + Arrays.toString(shape));
            }
        }

        byte[] header = NpyHeader.encode(dtype, shape);
        long elements = 1;
        for (long d : shape) {
            elements = Math.multiplyExact(elements, d);
        }
        long size = header.length + Math.multiplyExact(elements, (long) dtype.byteSize());
        byte[] memberName = (name + ".npy").getBytes(StandardCharsets.UTF_8);
        boolean zip64 = size >= zip64Threshold;

        ByteBuffer local = ByteBuffer.allocate(30 + memberName.length + (zip64 ? 20 : 0))
                .order(ByteOrder.LITTLE_ENDIAN);
        local.putInt(ZipDirectory.LOCAL_HEADER_SIG)
                .putShort((short) (zip64 ? VERSION_ZIP64 : VERSION_PLAIN))
                .putShort((short) flags(name))
                .putShort((short) ZipDirectory.METHOD_STORED)
                .putShort((short) 0)
                .putShort((short) DOS_DATE)
                .putInt(0) // CRC-32, patched by endArray
                .putInt((int) (zip64 ? ZipDirectory.U32_MAX : size))
                .putInt((int) (zip64 ? ZipDirectory.U32_MAX : size))
                .putShort((short) memberName.length)
                .putShort((short) (zip64 ? 20 : 0))
                .put(memberName);
        if (zip64) {
            local.putShort(ZipDirectory.ZIP64_EXTRA_ID).putShort((short) 16).putLong(size).putLong(size);
        }

        open = new Member(memberName, dtype, shape.clone(), position, size, zip64);
        write(local.flip());
        ByteBuffer headerBytes = ByteBuffer.wrap(header);
        open.crc.update(headerBytes.duplicate());
        open.written = header.length;
        write(headerBytes);
    }

    /**
     * Appends raw little-endian element bytes (C order) to the open array.
     *
     * @throws IllegalStateException when no array is open or the bytes overrun its shape
     */
    public void append(ByteBuffer bytes) throws IOException {
        checkUsable();
        if (open == null) {
            throw new IllegalStateException("no array is open; call beginArray() first");
        }
        int n = bytes.remaining();
        if (n > open.size - open.written) {
            throw new IllegalStateException("appending " + n + " bytes overruns the declared shape "
                    + Arrays.toString(open.shape) + " by " + (n - (open.size - open.written)) + " bytes");
        }
        ByteBuffer chunk = bytes.duplicate();
        open.crc.update(chunk.duplicate());
        write(chunk);
        open.written += n;
    }

    /**
     * Appends rows of the open array: {@code rows} must have its dtype and the same sizes
     * after the first axis.
     */
    public void append(HostTensor rows) throws IOException {
        if (open == null) {
            throw new IllegalStateException("no array is open; call beginArray() first");
        }
        long[] shape = rows.shape();
        boolean matches = rows.dtype() == open.dtype && shape.length == open.shape.length && shape.length > 0
                && Arrays.equals(shape, 1, shape.length, open.shape, 1, open.shape.length);
        if (!matches) {
            throw new IllegalArgumentException("rows of " + rows + " do not fit array of "
                    + open.dtype.shortName() + " " + Arrays.toString(open.shape)
                    + "; the dtype and all sizes after the first must match");
        }
        append(rows.contiguousBytes());
    }

    /**
     * Ends the open array and patches its CRC-32 into the local header.
     *
     * @throws IllegalStateException when fewer bytes were appended than the shape needs
     */
    public void endArray() throws IOException {
        checkUsable();
        if (open == null) {
            throw new IllegalStateException("no array is open");
        }
        Member m = open;
        if (m.written != m.size) {
            throw new IllegalStateException("array of shape " + Arrays.toString(m.shape) + " needs "
                    + (m.size - m.written) + " more bytes before endArray()");
        }
        ByteBuffer crc = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) m.crc.getValue()).flip();
        try {
            while (crc.hasRemaining()) {
                channel.write(crc, m.offset + 14 + (4 - crc.remaining()));
            }
        } catch (IOException e) {
            failed = true;
            throw e;
        }
        addDirectoryEntry(m);
        open = null;
    }

    private void addDirectoryEntry(Member m) {
        boolean zip64Offset = m.offset >= zip64Threshold;
        int extra = (m.zip64Size ? 16 : 0) + (zip64Offset ? 8 : 0);
        int extraLength = extra == 0 ? 0 : 4 + extra;
        ByteBuffer e = ByteBuffer.allocate(46 + m.name.length + extraLength).order(ByteOrder.LITTLE_ENDIAN);
        int version = extra > 0 ? VERSION_ZIP64 : VERSION_PLAIN;
        e.putInt(ZipDirectory.CENTRAL_HEADER_SIG)
                .putShort((short) (MADE_BY_UNIX | version))
                .putShort((short) version)
                .putShort((short) flags(new String(m.name, StandardCharsets.UTF_8)))
                .putShort((short) ZipDirectory.METHOD_STORED)
                .putShort((short) 0)
                .putShort((short) DOS_DATE)
                .putInt((int) m.crc.getValue())
                .putInt((int) (m.zip64Size ? ZipDirectory.U32_MAX : m.size))
                .putInt((int) (m.zip64Size ? ZipDirectory.U32_MAX : m.size))
                .putShort((short) m.name.length)
                .putShort((short) extraLength)
                .putShort((short) 0) // comment length
                .putShort((short) 0) // disk number start
                .putShort((short) 0) // internal attributes
                .putInt(FILE_ATTRIBUTES)
                .putInt((int) (zip64Offset ? ZipDirectory.U32_MAX : m.offset))
                .put(m.name);
        if (extra > 0) {
            e.putShort(ZipDirectory.ZIP64_EXTRA_ID).putShort((short) extra);
            if (m.zip64Size) {
                e.putLong(m.size).putLong(m.size);
            }
            if (zip64Offset) {
                e.putLong(m.offset);
            }
        }
        if (directoryBuffer.remaining() < e.capacity()) {
            ByteBuffer grown = ByteBuffer.allocate(Math.max(directoryBuffer.capacity() * 2,
                    directoryBuffer.position() + e.capacity())).order(ByteOrder.LITTLE_ENDIAN);
            grown.put(directoryBuffer.flip());
            directoryBuffer = grown;
        }
        directoryBuffer.put(e.flip());
        count++;
    }

    /**
     * Writes the central directory and end records, forces the data to disk and renames
     * the archive into place.
     *
     * @throws IllegalStateException when an array is still open
     */
    public void finish() throws IOException {
        checkUsable();
        if (open != null) {
            throw new IllegalStateException("array '" + new String(open.name, StandardCharsets.UTF_8)
                    + "' is still open; call endArray() before finish()");
        }

        long directoryOffset = position;
        long directorySize = directoryBuffer.position();
        write(directoryBuffer.flip());
        boolean zip64 = count >= ZipDirectory.U16_MAX || directoryOffset >= zip64Threshold
                || directorySize >= zip64Threshold;
        ByteBuffer end = ByteBuffer.allocate((zip64 ? 56 + 20 : 0) + 22).order(ByteOrder.LITTLE_ENDIAN);
        if (zip64) {
            long recordOffset = position;
            end.putInt(ZipDirectory.ZIP64_END_SIG).putLong(44)
                    .putShort((short) (MADE_BY_UNIX | VERSION_ZIP64)).putShort((short) VERSION_ZIP64)
                    .putInt(0).putInt(0).putLong(count).putLong(count)
                    .putLong(directorySize).putLong(directoryOffset);
            end.putInt(ZipDirectory.ZIP64_LOCATOR_SIG).putInt(0).putLong(recordOffset).putInt(1);
        }

        short entries = (short) Math.min(count, ZipDirectory.U16_MAX);
        end.putInt(ZipDirectory.END_SIG).putShort((short) 0).putShort((short) 0)
                .putShort(entries).putShort(entries)
                .putInt((int) (zip64 ? ZipDirectory.U32_MAX : directorySize))
                .putInt((int) (zip64 ? ZipDirectory.U32_MAX : directoryOffset))
                .putShort((short) 0);
        write(end.flip());

        try {
            channel.force(true);
            channel.close();
            AtomicFiles.moveIntoPlace(temp, target);
        } catch (IOException e) {
            failed = true;
            throw e;
        }
        finished = true;
    }

    /** Closes the writer; unless {@link #finish} succeeded, the partial archive is deleted. */
    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            channel.close();
        }
        if (!finished) {
            Files.deleteIfExists(temp);
            finished = true;
        }
    }

    private static int flags(String name) {
        // Bit 11: the name is UTF-8.
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) > 0x7F) {
                return 0x800;
            }
        }
        return 0;
    }

    private void checkUsable() {
        if (finished) {
            throw new IllegalStateException("the archive " + target + " is already finished or closed");
        }
        if (failed) {
            throw new IllegalStateException("an earlier write to " + temp + " failed; the archive is unusable");
        }
    }

    private void write(ByteBuffer buffer) throws IOException {
        try {
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
        } catch (IOException e) {
            failed = true;
            throw e;
        }
    }
}

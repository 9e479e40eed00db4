package org.mutor.common.format.torch;

import org.mutor.common.format.FormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The entries of a zip file, read from its central directory (zip64 included), with the
 * absolute file offset where each entry's data starts, so stored entries can be mapped.
 */
final class ZipIndex {

    static final int LOCAL_HEADER = 0x04034b50;
    static final int CENTRAL_HEADER = 0x02014b50;
    static final int END_RECORD = 0x06054b50;
    static final int ZIP64_END_RECORD = 0x06064b50;
    static final int ZIP64_LOCATOR = 0x07064b50;
    static final int ZIP64_EXTRA = 0x0001;
    /** Size of the end record without its comment. */
    private static final int END_RECORD_SIZE = 22;
    /** Largest central directory read into the heap; a torch checkpoint's is far smaller. */
    private static final long MAX_DIRECTORY_BYTES = 256L * 1024 * 1024;

    /** One entry; {@code method} 0 means stored, 8 deflated. */
    record Entry(String name, long dataOffset, long compressedSize, long size, int method, long crc) {
    }

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Entry> entries;

    private ZipIndex(Path file, FileChannel channel, Map<String, Entry> entries) {
        this.file = file;
        this.channel = channel;
        this.entries = entries;
    }

    /** Entries by name, in central-directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    /**
     * Reads the central directory of an open zip file.
     *
     * @throws FormatException when the end record or a header is missing or points outside the file
     */
    static ZipIndex read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        int tailLength = (int) Math.min(fileSize, 65535 + END_RECORD_SIZE);
        ByteBuffer tail = readAt(file, channel, fileSize - tailLength, tailLength);
        int end = -1;
        for (int i = tailLength - END_RECORD_SIZE; i >= 0; i--) {
            if (tail.getInt(i) == END_RECORD) {
                end = i;
                break;
            }
        }
        if (end < 0) {
            throw new FormatException(file + ": no zip end-of-central-directory record; the file is truncated"
                    + " or not a torch.save zip archive");
        }
        long endPosition = fileSize - tailLength + end;
        long count = tail.getShort(end + 10) & 0xFFFF;
        long directorySize = tail.getInt(end + 12) & 0xFFFFFFFFL;
        long directoryOffset = tail.getInt(end + 16) & 0xFFFFFFFFL;
        if (count == 0xFFFF || directorySize == 0xFFFFFFFFL || directoryOffset == 0xFFFFFFFFL) {
            if (endPosition < 20) {
                throw new FormatException(file + ": zip64 end record locator is missing (file truncated?)");
            }
            ByteBuffer locator = readAt(file, channel, endPosition - 20, 20);
            if (locator.getInt(0) != ZIP64_LOCATOR) {
                throw new FormatException(file + ": zip end record needs zip64 fields but the zip64 locator is missing");
            }
            long zip64End = locator.getLong(8);
            if (zip64End < 0 || zip64End + 56 > endPosition) {
                throw new FormatException(file + ": zip64 end record offset " + zip64End + " lies outside the file");
            }
            ByteBuffer record = readAt(file, channel, zip64End, 56);
            if (record.getInt(0) != ZIP64_END_RECORD) {
                throw new FormatException(file + ": no zip64 end record at byte " + zip64End);
            }
            count = record.getLong(32);
            directorySize = record.getLong(40);
            directoryOffset = record.getLong(48);
        }
        if (directorySize < 0 || directoryOffset < 0 || directorySize > MAX_DIRECTORY_BYTES
                || directoryOffset + directorySize > endPosition) {
            throw new FormatException(file + ": zip central directory of " + directorySize + " bytes at byte "
                    + directoryOffset + " does not fit before the end record at byte " + endPosition
                    + " (file truncated or corrupt)");
        }
        ByteBuffer directory = readAt(file, channel, directoryOffset, (int) directorySize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        int at = 0;
        for (long i = 0; i < count; i++) {
            if (at + 46 > directorySize || directory.getInt(at) != CENTRAL_HEADER) {
                throw new FormatException(file + ": zip central directory entry " + i + " is corrupt");
            }
            int method = directory.getShort(at + 10) & 0xFFFF;
            long crc = directory.getInt(at + 16) & 0xFFFFFFFFL;
            long compressed = directory.getInt(at + 20) & 0xFFFFFFFFL;
            long size = directory.getInt(at + 24) & 0xFFFFFFFFL;
            int nameLength = directory.getShort(at + 28) & 0xFFFF;
            int extraLength = directory.getShort(at + 30) & 0xFFFF;
            int commentLength = directory.getShort(at + 32) & 0xFFFF;
            long localOffset = directory.getInt(at + 42) & 0xFFFFFFFFL;
            if (at + 46L + nameLength + extraLength + commentLength > directorySize) {
                throw new FormatException(file + ": zip central directory entry " + i + " runs past the directory");
            }
            byte[] nameBytes = new byte[nameLength];
            directory.get(at + 46, nameBytes);
            String name = new String(nameBytes, StandardCharsets.UTF_8);
            // Zip64 extra field: the 64-bit values of whichever fields hold 0xFFFFFFFF, in this order.
            int extra = at + 46 + nameLength;
            int extraEnd = extra + extraLength;
            while (extra + 4 <= extraEnd) {
                int id = directory.getShort(extra) & 0xFFFF;
                int length = directory.getShort(extra + 2) & 0xFFFF;
                if (id == ZIP64_EXTRA) {
                    int field = extra + 4;
                    int fieldEnd = Math.min(field + length, extraEnd);
                    if (size == 0xFFFFFFFFL && field + 8 <= fieldEnd) {
                        size = directory.getLong(field);
                        field += 8;
                    }
                    if (compressed == 0xFFFFFFFFL && field + 8 <= fieldEnd) {
                        compressed = directory.getLong(field);
                        field += 8;
                    }
                    if (localOffset == 0xFFFFFFFFL && field + 8 <= fieldEnd) {
                        localOffset = directory.getLong(field);
                    }
                }
                extra += 4 + length;
            }
            long dataOffset = dataOffset(file, channel, name, localOffset, directoryOffset);
            if (compressed < 0 || size < 0 || dataOffset + compressed > directoryOffset) {
                throw new FormatException(file + ": zip entry '" + name + "' of " + compressed + " bytes at byte "
                        + dataOffset + " runs past the data area (file truncated or corrupt)");
            }
            entries.put(name, new Entry(name, dataOffset, compressed, size, method, crc));
            at += 46 + nameLength + extraLength + commentLength;
        }
        return new ZipIndex(file, channel, entries);
    }

    /** Reads the local header at {@code localOffset} and returns where the entry's data starts. */
    private static long dataOffset(Path file, FileChannel channel, String name, long localOffset, long limit)
            throws IOException {
        if (localOffset < 0 || localOffset + 30 > limit) {
            throw new FormatException(file + ": zip entry '" + name + "' has its header at byte " + localOffset
                    + ", outside the data area");
        }
        ByteBuffer header = readAt(file, channel, localOffset, 30);
        if (header.getInt(0) != LOCAL_HEADER) {
            throw new FormatException(file + ": zip entry '" + name + "' has no local header at byte " + localOffset);
        }
        int nameLength = header.getShort(26) & 0xFFFF;
        int extraLength = header.getShort(28) & 0xFFFF;
        return localOffset + 30 + nameLength + extraLength;
    }

    /** Reads a small entry whole, inflating it if it is deflated, and checks its CRC-32. */
    byte[] readBytes(Entry entry) throws IOException {
        if (entry.compressedSize() > Integer.MAX_VALUE - 8 || entry.size() > Integer.MAX_VALUE - 8) {
            throw new FormatException(file + ": zip entry '" + entry.name() + "' is too large to read into memory");
        }
        byte[] raw = new byte[(int) entry.compressedSize()];
        readAt(file, channel, entry.dataOffset(), raw.length).get(raw);
        byte[] data;
        if (entry.method() == 0) {
            data = raw;
        } else if (entry.method() == 8) {
            data = new byte[(int) entry.size()];
            Inflater inflater = new Inflater(true);
            try {
                inflater.setInput(raw);
                int n = inflater.inflate(data);
                if (n != data.length) {
                    throw new FormatException(file + ": zip entry '" + entry.name() + "' inflates to " + n
                            + " bytes, expected " + data.length);
                }
            } catch (DataFormatException e) {
                throw new FormatException(file + ": zip entry '" + entry.name() + "' is corrupt: " + e.getMessage());
            } finally {
                inflater.end();
            }
        } else {
            throw new FormatException(file + ": zip entry '" + entry.name() + "' uses compression method "
                    + entry.method() + "; only stored (0) and deflated (8) are supported");
        }
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        if (crc.getValue() != entry.crc()) {
            throw new FormatException(file + ": zip entry '" + entry.name() + "' fails its CRC-32 check (file corrupt)");
        }
        return data;
    }

    /** Reads {@code length} bytes at {@code position} into a little-endian heap buffer. */
    static ByteBuffer readAt(Path file, FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new FormatException(file + ": file ends at byte " + at + " while " + buffer.remaining()
                        + " more bytes were expected (file truncated)");
            }
            at += n;
        }
        return buffer.flip();
    }
}

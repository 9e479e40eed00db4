package org.mutor.common.format.numpy;

import org.mutor.common.format.FormatException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the central directory of a zip file, zip64 records included, and locates
 * each member's data through its local header.
 */
final class ZipDirectory {

    static final int LOCAL_HEADER_SIG = 0x04034b50;
    static final int CENTRAL_HEADER_SIG = 0x02014b50;
    static final int END_SIG = 0x06054b50;
    static final int ZIP64_END_SIG = 0x06064b50;
    static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    static final short ZIP64_EXTRA_ID = 0x0001;
    static final int METHOD_STORED = 0;
    static final int METHOD_DEFLATED = 8;
    static final long U32_MAX = 0xFFFFFFFFL;
    static final int U16_MAX = 0xFFFF;

    private static final int END_BYTES = 22;
    private static final int MAX_COMMENT = 0xFFFF;
    private static final long MAX_DIRECTORY_BYTES = 256L * 1024 * 1024;

    /**
     * One member of the zip.
     *
     * @param dataStart file position of the member's (possibly compressed) data
     */
    record Member(String name, int method, long crc, long compressedSize, long size, long dataStart) {
    }

    private ZipDirectory() {
    }

    /** Lists the members of a zip file in directory order. */
    static List<Member> read(FileChannel channel, String source) throws IOException {
        long fileSize = channel.size();
        int tailSize = (int) Math.min(fileSize, END_BYTES + MAX_COMMENT);
        ByteBuffer tail = ByteBuffer.allocate(tailSize).order(ByteOrder.LITTLE_ENDIAN);
        NpyData.readFully(channel, tail, fileSize - tailSize, source);
        int end = -1;
        for (int i = tailSize - END_BYTES; i >= 0; i--) {
            if (tail.getInt(i) == END_SIG && i + END_BYTES + (tail.getShort(i + 20) & 0xFFFF) == tailSize) {
                end = i;
                break;
            }
        }
        if (end < 0) {
            throw new FormatException(source + ": not a zip file (no end of central directory record); "
                    + "an .npz file may be truncated");
        }

        long endPosition = fileSize - tailSize + end;
        long count = tail.getShort(end + 10) & 0xFFFF;
        long directorySize = tail.getInt(end + 12) & U32_MAX;
        long directoryOffset = tail.getInt(end + 16) & U32_MAX;
        if (endPosition >= 20 && readInt(channel, endPosition - 20, source) == ZIP64_LOCATOR_SIG) {
            ByteBuffer locator = readAt(channel, endPosition - 20, 20, source);
            long zip64End = locator.getLong(8);
            if (zip64End < 0 || zip64End > endPosition - 20 - 56) {
                throw new FormatException(source + ": zip64 locator points outside the file");
            }
            ByteBuffer record = readAt(channel, zip64End, 56, source);
            if (record.getInt(0) != ZIP64_END_SIG) {
                throw new FormatException(source + ": zip64 end of central directory record is missing");
            }
            count = record.getLong(32);
            directorySize = record.getLong(40);
            directoryOffset = record.getLong(48);
        }
        if (directoryOffset < 0 || directorySize < 0 || directorySize > MAX_DIRECTORY_BYTES
                || directoryOffset + directorySize > endPosition) {
            throw new FormatException(source + ": central directory [" + directoryOffset + ", +" + directorySize
                    + "] lies outside the file of " + fileSize + " bytes");
        }

        ByteBuffer directory = readAt(channel, directoryOffset, (int) directorySize, source);
        List<Member> members = new ArrayList<>();
        int at = 0;
        for (long n = 0; n < count; n++) {
            if (at + 46 > directory.limit() || directory.getInt(at) != CENTRAL_HEADER_SIG) {
                throw new FormatException(source + ": central directory entry " + n + " is corrupt");
            }
            members.add(member(channel, directory, at, directoryOffset, source));
            at += 46 + (directory.getShort(at + 28) & 0xFFFF) + (directory.getShort(at + 30) & 0xFFFF)
                    + (directory.getShort(at + 32) & 0xFFFF);
        }
        return members;
    }

    private static Member member(FileChannel channel, ByteBuffer dir, int at, long directoryOffset, String source)
            throws IOException {
        int flags = dir.getShort(at + 8) & 0xFFFF;
        int method = dir.getShort(at + 10) & 0xFFFF;
        long crc = dir.getInt(at + 16) & U32_MAX;
        long compressed = dir.getInt(at + 20) & U32_MAX;
        long size = dir.getInt(at + 24) & U32_MAX;
        int nameLength = dir.getShort(at + 28) & 0xFFFF;
        int extraLength = dir.getShort(at + 30) & 0xFFFF;
        long local = dir.getInt(at + 42) & U32_MAX;
        if (at + 46 + nameLength + extraLength > dir.limit()) {
            throw new FormatException(source + ": central directory entry overruns the directory");
        }
        byte[] nameBytes = new byte[nameLength];
        dir.get(at + 46, nameBytes);
        String name = new String(nameBytes, (flags & 0x800) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int extra = at + 46 + nameLength;
        int extraEnd = extra + extraLength;
        while (extra + 4 <= extraEnd) {
            int id = dir.getShort(extra) & 0xFFFF;
            int length = dir.getShort(extra + 2) & 0xFFFF;
            if (id == ZIP64_EXTRA_ID) {
                int field = extra + 4;
                int fieldEnd = Math.min(field + length, extraEnd);
                if (size == U32_MAX && field + 8 <= fieldEnd) {
                    size = dir.getLong(field);
                    field += 8;
                }
                if (compressed == U32_MAX && field + 8 <= fieldEnd) {
                    compressed = dir.getLong(field);
                    field += 8;
                }
                if (local == U32_MAX && field + 8 <= fieldEnd) {
                    local = dir.getLong(field);
                }
            }
            extra += 4 + length;
        }
        if ((flags & 1) != 0) {
            throw new FormatException(source + ": member '" + name + "' is encrypted, which .npz readers reject");
        }
        if (method != METHOD_STORED && method != METHOD_DEFLATED) {
            throw new FormatException(source + ": member '" + name + "' uses zip compression method " + method
                    + "; only stored (0) and deflated (8) are supported");
        }
        if (size < 0 || compressed < 0 || local < 0 || local + 30 > directoryOffset) {
            throw new FormatException(source + ": member '" + name + "' has an invalid size or offset");
        }
        ByteBuffer header = readAt(channel, local, 30, source);
        if (header.getInt(0) != LOCAL_HEADER_SIG) {
            throw new FormatException(source + ": local header of member '" + name + "' is missing at byte " + local);
        }
        long dataStart = local + 30 + (header.getShort(26) & 0xFFFF) + (header.getShort(28) & 0xFFFF);
        if (dataStart + compressed > directoryOffset) {
            throw new FormatException(source + ": member '" + name + "' of " + compressed
                    + " bytes runs past the central directory (truncated file)");
        }
        if (method == METHOD_STORED && compressed != size) {
            throw new FormatException(source + ": stored member '" + name + "' has compressed size " + compressed
                    + " but size " + size);
        }
        return new Member(name, method, crc, compressed, size, dataStart);
    }

    private static int readInt(FileChannel channel, long position, String source) throws IOException {
        return readAt(channel, position, 4, source).getInt(0);
    }

    private static ByteBuffer readAt(FileChannel channel, long position, int length, String source)
            throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        NpyData.readFully(channel, b, position, source);
        return b.flip();
    }
}

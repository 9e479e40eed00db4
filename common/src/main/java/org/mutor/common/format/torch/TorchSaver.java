package org.mutor.common.format.torch;

import org.mutor.common.format.AtomicFiles;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Writes {@code torch.save} zip archives that {@code torch.load} reads: folder
 * {@code archive/}, a protocol-2 {@code data.pkl}, one uncompressed {@code data/N}
 * entry per tensor with its data aligned to 64 bytes, {@code byteorder} "little" and
 * {@code version} "3". Sizes and offsets past 4 GiB use zip64 records.
 */
public final class TorchSaver {

    private static final String FOLDER = "archive/";
    private static final int ALIGNMENT = 64;
    /** Extra-field id of the alignment padding; readers skip extra fields they do not know. */
    private static final int PADDING_EXTRA = 0x4246;
    private static final long ZIP32_MAX = 0xFFFFFFFFL;
    /** DOS date 1980-01-01, so that equal contents give equal files. */
    private static final int DOS_DATE = (1 << 5) | 1;

    private TorchSaver() {
    }

    /**
     * Writes {@code root} atomically. Values may be nested maps with String keys, lists,
     * {@link HostTensor}s, {@link ArgNamespace}, Long, Integer, BigInteger, Double, Float,
     * String, Boolean, byte[], DType and null. Each tensor is stored contiguously, and a
     * tensor object that appears twice is stored once.
     *
     * @throws IllegalArgumentException naming the key path of a value of another type
     */
    public static void save(Path file, Map<String, Object> root) throws IOException {
        save(file, root, false);
    }

    /** Writes as {@link #save(Path, Map)}; {@code forceZip64} adds zip64 records to small files too, for tests. */
    static void save(Path file, Map<String, Object> root, boolean forceZip64) throws IOException {
        PickleWriter pickle = new PickleWriter();
        byte[] data = pickle.write(root);
        List<HostTensor> storages = pickle.storages();
        AtomicFiles.write(file, channel -> {
            ZipWriter zip = new ZipWriter(channel, forceZip64);
            zip.entry(FOLDER + "data.pkl", ByteBuffer.wrap(data));
            zip.entry(FOLDER + ".format_version", ascii("1"));
            zip.entry(FOLDER + ".storage_alignment", ascii(Integer.toString(ALIGNMENT)));
            zip.entry(FOLDER + "byteorder", ascii("little"));
            for (int i = 0; i < storages.size(); i++) {
                zip.entry(FOLDER + "data/" + i, storages.get(i).contiguousBytes());
            }
            zip.entry(FOLDER + "version", ascii("3\n"));
            zip.finish();
        });
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** Streams stored zip entries to a channel, then the central directory. */
    private static final class ZipWriter {
        private final FileChannel channel;
        private final boolean forceZip64;
        private final List<byte[]> centralHeaders = new ArrayList<>();

        ZipWriter(FileChannel channel, boolean forceZip64) {
            this.channel = channel;
            this.forceZip64 = forceZip64;
        }

        void entry(String name, ByteBuffer data) throws IOException {
            byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
            long size = data.remaining();
            long localOffset = channel.position();
            boolean zip64Size = forceZip64 || size >= ZIP32_MAX;
            int zip64Length = zip64Size ? 20 : 0;
            // Pad with an extra field so the data starts on a 64-byte boundary, as torch does.
            long unpadded = localOffset + 30 + nameBytes.length + zip64Length + 4;
            int padding = (int) ((ALIGNMENT - unpadded % ALIGNMENT) % ALIGNMENT);
            ByteBuffer local = le(30 + nameBytes.length + zip64Length + 4 + padding);
            local.putInt(ZipIndex.LOCAL_HEADER).putShort(version(zip64Size)).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putShort((short) DOS_DATE)
                    .putInt(0) // CRC-32, filled in once the data is written
                    .putInt(zip64Size ? -1 : (int) size).putInt(zip64Size ? -1 : (int) size)
                    .putShort((short) nameBytes.length).putShort((short) (zip64Length + 4 + padding)).put(nameBytes);
            if (zip64Size) {
                local.putShort((short) ZipIndex.ZIP64_EXTRA).putShort((short) 16).putLong(size).putLong(size);
            }
            local.putShort((short) PADDING_EXTRA).putShort((short) padding);
            for (int i = 0; i < padding; i++) {
                local.put((byte) 'Z');
            }
            writeFully(local.flip(), -1);
            CRC32 crc = new CRC32();
            crc.update(data.duplicate());
            writeFully(data.duplicate(), -1);
            writeFully(le(4).putInt((int) crc.getValue()).flip(), localOffset + 14);
            centralHeaders.add(centralHeader(nameBytes, size, localOffset, crc.getValue()));
        }

        private byte[] centralHeader(byte[] name, long size, long localOffset, long crc) {
            boolean zip64Size = forceZip64 || size >= ZIP32_MAX;
            boolean zip64Offset = forceZip64 || localOffset >= ZIP32_MAX;
            int extraLength = (zip64Size || zip64Offset) ? 4 + (zip64Size ? 16 : 0) + (zip64Offset ? 8 : 0) : 0;
            ByteBuffer b = le(46 + name.length + extraLength);
            short version = version(zip64Size || zip64Offset);
            b.putInt(ZipIndex.CENTRAL_HEADER).putShort(version).putShort(version).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putShort((short) DOS_DATE).putInt((int) crc)
                    .putInt(zip64Size ? -1 : (int) size).putInt(zip64Size ? -1 : (int) size)
                    .putShort((short) name.length).putShort((short) extraLength).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt(zip64Offset ? -1 : (int) localOffset)
                    .put(name);
            if (extraLength > 0) {
                b.putShort((short) ZipIndex.ZIP64_EXTRA).putShort((short) (extraLength - 4));
                if (zip64Size) {
                    b.putLong(size).putLong(size);
                }
                if (zip64Offset) {
                    b.putLong(localOffset);
                }
            }
            return b.array();
        }

        void finish() throws IOException {
            long directoryOffset = channel.position();
            for (byte[] header : centralHeaders) {
                writeFully(ByteBuffer.wrap(header), -1);
            }
            long directorySize = channel.position() - directoryOffset;
            int count = centralHeaders.size();
            boolean zip64 = forceZip64 || count >= 0xFFFF || directoryOffset >= ZIP32_MAX
                    || directorySize >= ZIP32_MAX;
            if (zip64) {
                long recordOffset = channel.position();
                ByteBuffer record = le(56 + 20);
                record.putInt(ZipIndex.ZIP64_END_RECORD).putLong(44).putShort((short) 45).putShort((short) 45)
                        .putInt(0).putInt(0).putLong(count).putLong(count).putLong(directorySize)
                        .putLong(directoryOffset);
                record.putInt(ZipIndex.ZIP64_LOCATOR).putInt(0).putLong(recordOffset).putInt(1);
                writeFully(record.flip(), -1);
            }
            ByteBuffer end = le(22);
            end.putInt(ZipIndex.END_RECORD).putShort((short) 0).putShort((short) 0)
                    .putShort((short) (zip64 ? -1 : count)).putShort((short) (zip64 ? -1 : count))
                    .putInt(zip64 ? -1 : (int) directorySize).putInt(zip64 ? -1 : (int) directoryOffset)
                    .putShort((short) 0);
            writeFully(end.flip(), -1);
        }

        private static short version(boolean zip64) {
            return (short) (zip64 ? 45 : 20);
        }

        /** Writes at the current position, or at {@code position} when it is not negative. */
        private void writeFully(ByteBuffer buffer, long position) throws IOException {
            long at = position;
            while (buffer.hasRemaining()) {
                if (position < 0) {
                    channel.write(buffer);
                } else {
                    at += channel.write(buffer, at);
                }
            }
        }

        private static ByteBuffer le(int size) {
            return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        }
    }
}

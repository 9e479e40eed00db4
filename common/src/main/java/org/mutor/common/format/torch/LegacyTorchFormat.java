package org.mutor.common.format.torch;

import org.mutor.common.format.FormatException;
import org.mutor.common.format.torch.TorchGlobals.StorageRef;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The non-zip format of torch before 1.6 (and of {@code _use_new_zipfile_serialization=False}):
 * five pickles in a row (magic number, protocol version 1001, system info, the object,
 * the list of storage keys), then each storage in key order as an 8-byte little-endian
 * element count followed by its raw bytes.
 */
final class LegacyTorchFormat {

    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final long PROTOCOL_VERSION = 1001;

    private LegacyTorchFormat() {
    }

    static Object load(Path file, FileChannel channel) throws IOException {
        // The pickles come first and are small; map at most 2 GiB of the file to read them.
        long size = channel.size();
        ByteBuffer head = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE));
        PickleReader.PersistentLoader noStorages = pid -> {
            throw new FormatException(file + ": header pickle contains a persistent id (file corrupt)");
        };
        PickleReader.Result magic = PickleReader.read(head, 0, file + ":magic", noStorages);
        if (!MAGIC.equals(magic.value())) {
            throw new FormatException(file + ": first pickle is " + magic.value()
                    + ", not the torch.save magic number; not a torch.save file");
        }
        PickleReader.Result protocol = PickleReader.read(head, magic.end(), file + ":protocol", noStorages);
        if (!Long.valueOf(PROTOCOL_VERSION).equals(protocol.value())) {
            throw new FormatException(file + ": torch.save protocol version " + protocol.value()
                    + " is not supported; expected " + PROTOCOL_VERSION);
        }
        PickleReader.Result sysInfo = PickleReader.read(head, protocol.end(), file + ":sys_info", noStorages);
        if (sysInfo.value() instanceof Map
                && Boolean.FALSE.equals(((Map<?, ?>) sysInfo.value()).get("little_endian"))) {
            throw new FormatException(file + ": written on a big-endian machine; only little-endian files are"
                    + " supported (re-save the checkpoint on a little-endian machine)");
        }
        Map<String, StorageRef> byKey = new HashMap<>();
        PickleReader.PersistentLoader loader = pid -> {
            List<?> fields = TorchFile.persistentId(file, pid, 5);
            if (fields.size() > 5 && fields.get(5) != null) {
                throw new FormatException(file + ": storage '" + fields.get(2) + "' is a storage view; views"
                        + " written by torch before 1.0 are not supported");
            }
            StorageRef ref = TorchFile.storageRef(file, fields);
            StorageRef known = byKey.putIfAbsent(ref.key(), ref);
            if (known != null && known.dtype() != ref.dtype()) {
                throw new FormatException(file + ": storage '" + ref.key() + "' is used as both "
                        + known.dtype().shortName() + " and " + ref.dtype().shortName());
            }
            return known != null ? known : ref;
        };
        PickleReader.Result object = PickleReader.read(head, sysInfo.end(), file + ":data", loader);
        PickleReader.Result keys = PickleReader.read(head, object.end(), file + ":storage keys", noStorages);
        if (!(keys.value() instanceof List)) {
            throw new FormatException(file + ": storage key list is a " + PickleReader.describe(keys.value()));
        }
        // Walk the storage records in key order to find where each one's bytes start.
        Map<String, long[]> regions = new HashMap<>();
        long at = keys.end();
        for (Object keyValue : (List<?>) keys.value()) {
            String key = String.valueOf(keyValue);
            StorageRef ref = byKey.get(key);
            if (ref == null) {
                throw new FormatException(file + ": storage key '" + key + "' is listed but no tensor uses it");
            }
            if (at + 8 > size) {
                throw new FormatException(file + ": file ends at byte " + size + " before the header of storage '"
                        + key + "' (file truncated)");
            }
            long count = ZipIndex.readAt(file, channel, at, 8).getLong(0);
            if (count < 0 || count > (size - at - 8) / ref.dtype().byteSize()) {
                throw new FormatException(file + ": storage '" + key + "' declares " + count + " elements at byte "
                        + at + " but the file ends at byte " + size + " (file truncated or corrupt)");
            }
            long length = count * ref.dtype().byteSize();
            regions.put(key, new long[] {at + 8, length});
            at += 8 + length;
        }
        Map<String, ByteBuffer> mapped = new HashMap<>();
        return TreeResolver.resolve(file.toString(), object.value(), ref -> {
            ByteBuffer bytes = mapped.get(ref.key());
            if (bytes == null) {
                long[] region = regions.get(ref.key());
                if (region == null) {
                    throw new FormatException(file + ": storage '" + ref.key() + "' is missing from the storage key list");
                }
                bytes = TorchFile.map(file, channel, region[0], region[1], "storage '" + ref.key() + "'");
                mapped.put(ref.key(), bytes);
            }
            TorchFile.checkDeclaredSize(file, ref, bytes);
            return bytes;
        });
    }
}

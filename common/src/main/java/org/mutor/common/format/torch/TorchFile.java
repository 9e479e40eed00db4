package org.mutor.common.format.torch;

import org.mutor.common.format.FormatException;
import org.mutor.common.format.torch.TorchGlobals.PyGlobal;
import org.mutor.common.format.torch.TorchGlobals.StorageRef;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads files written by {@code torch.save}, in the zip format (torch 1.6 and later) and
 * in the older non-zip format, without Python and without running code from the file.
 *
 * <p>The result is a tree of {@code Map<String, Object>} (insertion-ordered; non-string
 * dict keys become their Python text, such as {@code 0} or {@code True}), {@code List}
 * for lists and tuples (tuples unmodifiable), {@link HostTensor}, {@link ArgNamespace},
 * Long, BigInteger, Double, String, Boolean, byte[], {@link org.mutor.common.tensor.DType},
 * Set and null. NumPy scalars become Long or Double.
 *
 * <p>Storages are memory-mapped, not copied, so the heap never holds a checkpoint's
 * weights. A mapping stays valid after loading returns, until the tensors are unreachable.
 * One storage is limited to 2 GiB, the most one Java buffer can map.
 */
public final class TorchFile {

    private TorchFile() {
    }

    /**
     * Loads a {@code torch.save} file.
     *
     * @throws UnsafePickleException when the pickle names a global outside the allow-list
     * @throws FormatException when the file is truncated, corrupt, big-endian, or a tensor
     *     reaches outside its storage (the message names the tensor's key path)
     */
    public static Object load(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 4) {
                throw new FormatException(file + ": only " + size + " bytes, too short for a torch.save file");
            }
            ByteBuffer head = ZipIndex.readAt(file, channel, 0, 4);
            if (head.getInt(0) == ZipIndex.LOCAL_HEADER) {
                return loadZip(file, channel);
            }
            if ((head.get(0) & 0xFF) == 0x80) {
                return LegacyTorchFormat.load(file, channel);
            }
            throw new FormatException(file + ": starts with neither a zip header nor a pickle;"
                    + " not a torch.save file (tar files of torch before 0.4 are not supported)");
        }
    }

    /**
     * Loads a file and returns the dict under {@code key} of its top-level dict, as in
     * {@code torch.load(file)["model"]}; with a null key, returns the top-level dict itself.
     *
     * @throws FormatException when the top-level value is not a dict or the key is missing
     */
    public static Map<String, Object> loadDict(Path file, String key) throws IOException {
        Object root = load(file);
        if (!(root instanceof Map)) {
            throw new FormatException(file + ": top-level value is a " + PickleReader.describe(root) + ", expected a dict");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> dict = (Map<String, Object>) root;
        return key == null ? dict : subDict(dict, key);
    }

    /**
     * Returns the dict stored under {@code key}, such as the {@code model} or {@code ema}
     * state dict of a training checkpoint.
     *
     * @throws FormatException naming the keys present when {@code key} is missing or is not a dict
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> subDict(Map<String, Object> dict, String key) throws FormatException {
        Object value = dict.get(key);
        if (!(value instanceof Map)) {
            throw new FormatException("checkpoint entry '" + key + "' is "
                    + (value == null ? "missing" : "a " + PickleReader.describe(value))
                    + ", expected a dict; top-level keys: " + dict.keySet());
        }
        return (Map<String, Object>) value;
    }

    /**
     * Collects every tensor of a tree under dotted key paths, as a state dict names them
     * ({@code layers.0.attention.wqkv.weight}); list items use their index. Other values
     * are skipped. A tensor reached twice appears under each path.
     */
    public static Map<String, HostTensor> flatten(Object tree) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        flatten(tree, "", out, new java.util.IdentityHashMap<>());
        return out;
    }

    private static void flatten(Object value, String prefix, Map<String, HostTensor> out,
                                Map<Object, Boolean> open) {
        if (value instanceof HostTensor) {
            out.put(prefix, (HostTensor) value);
            return;
        }
        if (!(value instanceof Map || value instanceof List || value instanceof ArgNamespace)
                || open.put(value, Boolean.TRUE) != null) {
            return; // A plain value, or a container already on the current path (a cycle).
        }
        String dot = prefix.isEmpty() ? "" : prefix + ".";
        if (value instanceof Map) {
            ((Map<?, ?>) value).forEach((k, v) -> flatten(v, dot + k, out, open));
        } else if (value instanceof ArgNamespace) {
            ((ArgNamespace) value).fields().forEach((k, v) -> flatten(v, dot + k, out, open));
        } else {
            List<?> list = (List<?>) value;
            for (int i = 0; i < list.size(); i++) {
                flatten(list.get(i), dot + i, out, open);
            }
        }
        open.remove(value);
    }

    private static Object loadZip(Path file, FileChannel channel) throws IOException {
        ZipIndex zip = ZipIndex.read(file, channel);
        String prefix = null;
        for (String name : zip.entries().keySet()) {
            int slash = name.indexOf('/');
            if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
                prefix = name.substring(0, slash + 1);
                break;
            }
        }
        if (prefix == null) {
            throw new FormatException(file + ": zip archive has no <folder>/data.pkl entry; not a torch.save file");
        }
        ZipIndex.Entry byteorder = zip.entries().get(prefix + "byteorder");
        if (byteorder != null) {
            String order = new String(zip.readBytes(byteorder), StandardCharsets.UTF_8).trim();
            if (!order.equals("little")) {
                throw new FormatException(file + ": storages are in '" + order + "' byte order; only little-endian"
                        + " files are supported (re-save the checkpoint on a little-endian machine)");
            }
        }
        String pickleName = prefix + "data.pkl";
        ByteBuffer pickle = ByteBuffer.wrap(zip.readBytes(zip.entries().get(pickleName)));
        Map<String, StorageRef> storages = new HashMap<>();
        PickleReader.PersistentLoader loader = pid -> {
            List<?> fields = persistentId(file, pid, 5);
            StorageRef ref = storageRef(file, fields);
            return storages.computeIfAbsent(ref.key() + "/" + ref.dtype(), k -> ref);
        };
        Object raw = PickleReader.read(pickle, 0, file + ":" + pickleName, loader).value();
        Map<String, ByteBuffer> mapped = new HashMap<>();
        String dataFolder = prefix + "data/";
        return TreeResolver.resolve(file.toString(), raw, ref -> {
            ByteBuffer bytes = mapped.get(ref.key());
            if (bytes == null) {
                ZipIndex.Entry entry = zip.entries().get(dataFolder + ref.key());
                if (entry == null) {
                    throw new FormatException(file + ": storage '" + ref.key() + "' has no entry " + dataFolder
                            + ref.key() + " in the archive");
                }
                if (entry.method() != 0 || entry.compressedSize() != entry.size()) {
                    throw new FormatException(file + ": storage entry " + entry.name() + " is compressed;"
                            + " torch.save stores storages uncompressed, re-save the file with torch.save");
                }
                bytes = map(file, channel, entry.dataOffset(), entry.size(), entry.name());
                mapped.put(ref.key(), bytes);
            }
            checkDeclaredSize(file, ref, bytes);
            return bytes;
        });
    }

    /** Checks a persistent id's shape: ('storage', storage type, key, location, numel, ...). */
    static List<?> persistentId(Path file, Object pid, int minFields) throws FormatException {
        if (!(pid instanceof List) || ((List<?>) pid).size() < minFields || !"storage".equals(((List<?>) pid).get(0))) {
            throw new FormatException(file + ": persistent id " + pid + " is not a ('storage', type, key,"
                    + " location, numel) tuple");
        }
        return (List<?>) pid;
    }

    static StorageRef storageRef(Path file, List<?> fields) throws FormatException {
        Object type = fields.get(1);
        if (!(type instanceof PyGlobal) || ((PyGlobal) type).kind() != TorchGlobals.Kind.STORAGE_TYPE) {
            throw new FormatException(file + ": persistent id names storage type " + type
                    + ", which is not a torch storage class");
        }
        Object numel = fields.get(4);
        if (!(numel instanceof Long) || (Long) numel < 0) {
            throw new FormatException(file + ": storage " + fields.get(2) + " has element count " + numel);
        }
        return new StorageRef(String.valueOf(fields.get(2)), ((PyGlobal) type).dtype(), (Long) numel,
                String.valueOf(fields.get(3)));
    }

    static void checkDeclaredSize(Path file, StorageRef ref, ByteBuffer bytes) throws FormatException {
        long needed = ref.numel() * ref.dtype().byteSize();
        if (ref.numel() > Long.MAX_VALUE / 8 || needed > bytes.capacity()) {
            throw new FormatException(file + ": storage '" + ref.key() + "' declares " + ref.numel() + " "
                    + ref.dtype().shortName() + " elements but holds only " + bytes.capacity() + " bytes");
        }
    }

    /** Maps a region read-only; an empty region becomes an empty heap buffer. */
    static ByteBuffer map(Path file, FileChannel channel, long offset, long length, String what) throws IOException {
        if (length > Integer.MAX_VALUE) {
            throw new FormatException(file + ": " + what + " is " + length + " bytes, more than the 2 GiB"
                    + " one Java buffer can map");
        }
        if (offset + length > channel.size()) {
            throw new FormatException(file + ": " + what + " needs bytes up to " + (offset + length)
                    + " but the file ends at " + channel.size() + " (file truncated)");
        }
        if (length == 0) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
    }
}

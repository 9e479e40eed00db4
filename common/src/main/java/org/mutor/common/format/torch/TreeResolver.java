package org.mutor.common.format.torch;

import org.mutor.common.format.FormatException;
import org.mutor.common.format.torch.TorchGlobals.NumpyDType;
import org.mutor.common.format.torch.TorchGlobals.PyGlobal;
import org.mutor.common.format.torch.TorchGlobals.StorageRef;
import org.mutor.common.format.torch.TorchGlobals.TensorRef;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns an unpickled tree into the public result model: dict keys become strings, tensor
 * references become {@link HostTensor}s over their storage bytes, each named by its key
 * path (for example {@code model/layers.0.attention.wqkv.weight}). A container reached
 * twice through the memo is converted once, so shared and cyclic structure stays finite.
 */
final class TreeResolver {

    /** Supplies the bytes of a storage, mapping each storage once. */
    @FunctionalInterface
    interface StorageSource {
        ByteBuffer bytes(StorageRef storage) throws IOException;
    }

    /** Deeper nesting than this is rejected rather than risking a stack overflow. */
    private static final int MAX_DEPTH = 1000;

    private final String file;
    private final StorageSource source;
    private final Map<Object, Object> converted = new IdentityHashMap<>();

    private TreeResolver(String file, StorageSource source) {
        this.file = file;
        this.source = source;
    }

    /** Converts {@code raw} into the result model. */
    static Object resolve(String file, Object raw, StorageSource source) throws IOException {
        return new TreeResolver(file, source).convert(raw, "", 0);
    }

    private Object convert(Object value, String path, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new FormatException(file + ": value at '" + path + "' is nested deeper than " + MAX_DEPTH + " levels");
        }
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof byte[] || value instanceof org.mutor.common.tensor.DType) {
            return value;
        }
        Object done = converted.get(value);
        if (done != null) {
            return done;
        }
        if (value instanceof TensorRef) {
            HostTensor tensor = tensor((TensorRef) value, path);
            converted.put(value, tensor);
            return tensor;
        }
        if (value instanceof StorageRef) {
            StorageRef storage = (StorageRef) value;
            HostTensor tensor = tensor(new TensorRef(storage, 0, new long[] {storage.numel()}, new long[] {1}), path);
            converted.put(value, tensor);
            return tensor;
        }
        if (value instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            converted.put(value, out);
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                String key = keyText(entry.getKey());
                out.put(key, convert(entry.getValue(), child(path, key), depth + 1));
            }
            return out;
        }
        if (value instanceof ArgNamespace) {
            Map<String, Object> fields = new LinkedHashMap<>();
            ArgNamespace out = new ArgNamespace(fields);
            converted.put(value, out);
            for (Map.Entry<String, Object> field : ((ArgNamespace) value).fields().entrySet()) {
                fields.put(field.getKey(), convert(field.getValue(), child(path, field.getKey()), depth + 1));
            }
            return out;
        }
        if (value instanceof List) {
            List<?> list = (List<?>) value;
            boolean tuple = !(value instanceof ArrayList);
            List<Object> out = new ArrayList<>(list.size());
            converted.put(value, tuple ? Collections.unmodifiableList(out) : out);
            for (int i = 0; i < list.size(); i++) {
                out.add(convert(list.get(i), child(path, Integer.toString(i)), depth + 1));
            }
            return converted.get(value);
        }
        if (value instanceof Set) {
            Set<Object> out = new LinkedHashSet<>();
            converted.put(value, out);
            int i = 0;
            for (Object item : (Set<?>) value) {
                out.add(convert(item, child(path, Integer.toString(i++)), depth + 1));
            }
            return out;
        }
        if (value instanceof NumpyDType) {
            return ((NumpyDType) value).code;
        }
        if (value instanceof PyGlobal) {
            throw new FormatException(file + ": value at '" + path + "' is the Python object " + value
                    + ", which is not data this reader returns");
        }
        throw new FormatException(file + ": value at '" + path + "' has unsupported type "
                + value.getClass().getSimpleName());
    }

    private static String keyText(Object key) {
        if (key instanceof String) {
            return (String) key;
        }
        if (key instanceof Boolean) {
            return ((Boolean) key) ? "True" : "False";
        }
        return key == null ? "None" : String.valueOf(key);
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "/" + key;
    }

    private HostTensor tensor(TensorRef ref, String name) throws IOException {
        StorageRef storage = ref.storage();
        long elementSize = storage.dtype().byteSize();
        long last = ref.offset();
        boolean empty = false;
        try {
            for (int d = 0; d < ref.size().length; d++) {
                if (ref.size()[d] == 0) {
                    empty = true;
                } else if (ref.size()[d] > 0 && ref.stride()[d] >= 0) {
                    last = Math.addExact(last, Math.multiplyExact(ref.size()[d] - 1, ref.stride()[d]));
                }
            }
            Math.multiplyExact(Math.addExact(last, 1), elementSize);
        } catch (ArithmeticException e) {
            throw new FormatException(file + ": tensor '" + name + "' has size " + java.util.Arrays.toString(ref.size())
                    + " and stride " + java.util.Arrays.toString(ref.stride()) + " whose extent overflows 64 bits");
        }
        ByteBuffer bytes = source.bytes(storage);
        try {
            return new HostTensor(name, storage.dtype(), ref.size(), ref.stride(), ref.offset(), bytes);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file + ": " + e.getMessage() + (empty ? "" : " (storage '" + storage.key() + "')"));
        }
    }
}

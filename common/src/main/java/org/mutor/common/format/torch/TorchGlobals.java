package org.mutor.common.format.torch;

import org.mutor.common.tensor.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The allow-list of Python globals a checkpoint pickle may name, and the pure-Java
 * stand-ins for calling them. Nothing here loads classes or runs code named by a file:
 * each allowed global maps to a fixed {@link Kind}, and every other name is rejected.
 *
 * <p>Methods other than {@link #resolve} throw IllegalArgumentException for arguments of
 * the wrong shape; the pickle reader turns it into a FormatException with the position.
 */
final class TorchGlobals {

    /** Behaviour of an allowed global when the pickle calls it. */
    enum Kind {
        REBUILD_TENSOR_V2, REBUILD_TENSOR, REBUILD_PARAMETER, REBUILD_PARAMETER_WITH_STATE, REBUILD_FROM_TYPE_V2,
        TENSOR_TYPE, STORAGE_TYPE, DTYPE, ORDERED_DICT, NAMESPACE, NUMPY_SCALAR, NUMPY_DTYPE, TORCH_SIZE,
        TORCH_DEVICE, SET, FROZENSET, BYTES, BYTEARRAY, CODECS_ENCODE
    }

    /** An allowed global; {@code dtype} is set for storage types and dtype constants. */
    record PyGlobal(String module, String name, Kind kind, DType dtype) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A storage named by a persistent id: raw bytes under {@code key}, read after the pickle. */
    record StorageRef(String key, DType dtype, long numel, String location) {
    }

    /** A tensor view over a storage, before the storage bytes are attached. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    /** A NumPy dtype being unpickled: a type code such as {@code f8} and a byte order. */
    static final class NumpyDType {
        final String code;
        String byteOrder = "=";

        NumpyDType(String code) {
            this.code = code;
        }
    }

    private static final Map<String, PyGlobal> ALLOWED = new HashMap<>();

    static {
        allow("torch._utils", "_rebuild_tensor_v2", Kind.REBUILD_TENSOR_V2, null);
        allow("torch._utils", "_rebuild_tensor", Kind.REBUILD_TENSOR, null);
        allow("torch._utils", "_rebuild_parameter", Kind.REBUILD_PARAMETER, null);
        allow("torch._utils", "_rebuild_parameter_with_state", Kind.REBUILD_PARAMETER_WITH_STATE, null);
        allow("torch._tensor", "_rebuild_from_type_v2", Kind.REBUILD_FROM_TYPE_V2, null);
        allow("torch", "Tensor", Kind.TENSOR_TYPE, null);
        allow("torch._tensor", "Tensor", Kind.TENSOR_TYPE, null);
        allow("torch.nn.parameter", "Parameter", Kind.TENSOR_TYPE, null);
        String[][] storages = {
            {"FloatStorage", "FLOAT32"}, {"HalfStorage", "FLOAT16"}, {"BFloat16Storage", "BFLOAT16"},
            {"DoubleStorage", "FLOAT64"}, {"LongStorage", "INT64"}, {"IntStorage", "INT32"},
            {"ShortStorage", "INT16"}, {"CharStorage", "INT8"}, {"ByteStorage", "UINT8"}, {"BoolStorage", "BOOL"},
        };
        for (String[] s : storages) {
            // The device is in the persistent id's location; a CUDA storage type is read to the host too.
            allow("torch", s[0], Kind.STORAGE_TYPE, DType.valueOf(s[1]));
            allow("torch.cuda", s[0], Kind.STORAGE_TYPE, DType.valueOf(s[1]));
        }
        allow("torch", "UntypedStorage", Kind.STORAGE_TYPE, DType.UINT8);
        allow("torch.storage", "UntypedStorage", Kind.STORAGE_TYPE, DType.UINT8);
        String[][] dtypes = {
            {"float32", "FLOAT32"}, {"float", "FLOAT32"}, {"float16", "FLOAT16"}, {"half", "FLOAT16"},
            {"bfloat16", "BFLOAT16"}, {"float64", "FLOAT64"}, {"double", "FLOAT64"}, {"int64", "INT64"},
            {"long", "INT64"}, {"int32", "INT32"}, {"int", "INT32"}, {"int16", "INT16"}, {"short", "INT16"},
            {"int8", "INT8"}, {"uint8", "UINT8"}, {"bool", "BOOL"},
        };
        for (String[] d : dtypes) {
            allow("torch", d[0], Kind.DTYPE, DType.valueOf(d[1]));
        }
        allow("torch", "Size", Kind.TORCH_SIZE, null);
        allow("torch", "device", Kind.TORCH_DEVICE, null);
        allow("collections", "OrderedDict", Kind.ORDERED_DICT, null);
        allow("argparse", "Namespace", Kind.NAMESPACE, null);
        allow("numpy.core.multiarray", "scalar", Kind.NUMPY_SCALAR, null);
        allow("numpy._core.multiarray", "scalar", Kind.NUMPY_SCALAR, null);
        allow("numpy", "dtype", Kind.NUMPY_DTYPE, null);
        allow("_codecs", "encode", Kind.CODECS_ENCODE, null);
        // Protocol 2 writes Python 3's builtins module under its Python 2 name.
        for (String builtins : new String[] {"builtins", "__builtin__"}) {
            allow(builtins, "set", Kind.SET, null);
            allow(builtins, "frozenset", Kind.FROZENSET, null);
            allow(builtins, "bytes", Kind.BYTES, null);
            allow(builtins, "bytearray", Kind.BYTEARRAY, null);
        }
    }

    private TorchGlobals() {
    }

    private static void allow(String module, String name, Kind kind, DType dtype) {
        ALLOWED.put(module + "." + name, new PyGlobal(module, name, kind, dtype));
    }

    /**
     * Looks up a global named by the pickle. Torch dtype constants resolve to {@link DType}.
     *
     * @throws UnsafePickleException for every name outside the allow-list
     */
    static Object resolve(String module, String name) throws UnsafePickleException {
        PyGlobal global = ALLOWED.get(module + "." + name);
        if (global == null) {
            throw new UnsafePickleException(module, name);
        }
        return global.kind() == Kind.DTYPE ? global.dtype() : global;
    }

    /** Applies an allowed global to its arguments, as the REDUCE opcode does. */
    static Object call(Object callable, List<Object> args) {
        if (!(callable instanceof PyGlobal)) {
            throw new IllegalArgumentException("REDUCE calls a " + PickleReader.describe(callable)
                    + ", which is not an allowed global");
        }
        PyGlobal global = (PyGlobal) callable;
        switch (global.kind()) {
            case REBUILD_TENSOR_V2:
                atLeast(global, args, 4);
                return tensor(args);
            case REBUILD_TENSOR:
                atLeast(global, args, 4);
                return tensor(args);
            case REBUILD_PARAMETER:
            case REBUILD_PARAMETER_WITH_STATE:
                atLeast(global, args, 1);
                return expect(global, args.get(0), TensorRef.class);
            case REBUILD_FROM_TYPE_V2: {
                atLeast(global, args, 3);
                Object type = args.get(1);
                if (!(type instanceof PyGlobal) || ((PyGlobal) type).kind() != Kind.TENSOR_TYPE) {
                    throw new IllegalArgumentException(global + " rebuilds a " + type + ", only tensor types are allowed");
                }
                return call(args.get(0), asList(global, args.get(2)));
            }
            case ORDERED_DICT: {
                Map<Object, Object> dict = new LinkedHashMap<>();
                if (!args.isEmpty()) {
                    for (Object pair : asList(global, args.get(0))) {
                        List<Object> kv = asList(global, pair);
                        dict.put(kv.get(0), kv.get(1));
                    }
                }
                return dict;
            }
            case NUMPY_DTYPE:
                atLeast(global, args, 1);
                return new NumpyDType(expect(global, args.get(0), String.class));
            case NUMPY_SCALAR:
                atLeast(global, args, 2);
                return numpyScalar(expect(global, args.get(0), NumpyDType.class),
                        expect(global, args.get(1), byte[].class));
            case TORCH_SIZE:
                atLeast(global, args, 1);
                return Collections.unmodifiableList(new ArrayList<>(asList(global, args.get(0))));
            case TORCH_DEVICE:
                atLeast(global, args, 1);
                return args.size() > 1 && args.get(1) != null ? args.get(0) + ":" + args.get(1) : args.get(0);
            case SET:
            case FROZENSET: {
                LinkedHashSet<Object> set = new LinkedHashSet<>();
                if (!args.isEmpty()) {
                    set.addAll(asList(global, args.get(0)));
                }
                return global.kind() == Kind.SET ? set : Collections.unmodifiableSet(set);
            }
            case CODECS_ENCODE:
            case BYTES:
            case BYTEARRAY:
                return bytes(global, args);
            default:
                throw new IllegalArgumentException(global + " cannot be called");
        }
    }

    /** Creates an instance of an allowed class, as the NEWOBJ opcode does. */
    static Object newObject(Object cls, List<Object> args) {
        if (cls instanceof PyGlobal && ((PyGlobal) cls).kind() == Kind.NAMESPACE) {
            return new ArgNamespace(new LinkedHashMap<>());
        }
        if (cls instanceof PyGlobal && ((PyGlobal) cls).kind() == Kind.ORDERED_DICT) {
            return new LinkedHashMap<Object, Object>();
        }
        return call(cls, args);
    }

    /** Sets an object's state, as the BUILD opcode does. */
    static void build(Object target, Object state) {
        if (target instanceof ArgNamespace && state instanceof Map) {
            for (Map.Entry<?, ?> field : ((Map<?, ?>) state).entrySet()) {
                ((ArgNamespace) target).fields().put(String.valueOf(field.getKey()), field.getValue());
            }
        } else if (target instanceof LinkedHashMap && state instanceof Map) {
            // State of an OrderedDict is its attributes, such as the _metadata of a state_dict: not kept.
        } else if (target instanceof NumpyDType && state instanceof List && ((List<?>) state).size() > 1) {
            ((NumpyDType) target).byteOrder = String.valueOf(((List<?>) state).get(1));
        } else {
            throw new IllegalArgumentException("BUILD sets state " + PickleReader.describe(state) + " on a "
                    + PickleReader.describe(target) + ", which this reader does not support");
        }
    }

    private static TensorRef tensor(List<Object> args) {
        Object storage = args.get(0);
        if (!(storage instanceof StorageRef)) {
            throw new IllegalArgumentException("tensor rebuild expects a storage, found " + PickleReader.describe(storage));
        }
        long offset = asLong(args.get(1), "storage offset");
        long[] size = longs(args.get(2), "size");
        long[] stride = longs(args.get(3), "stride");
        if (size.length != stride.length) {
            throw new IllegalArgumentException("tensor size has " + size.length + " dimensions but stride has "
                    + stride.length);
        }
        return new TensorRef((StorageRef) storage, offset, size, stride);
    }

    private static long[] longs(Object value, String what) {
        if (!(value instanceof List)) {
            throw new IllegalArgumentException("tensor " + what + " must be a tuple, found " + PickleReader.describe(value));
        }
        List<?> list = (List<?>) value;
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(list.get(i), what);
        }
        return out;
    }

    private static long asLong(Object value, String what) {
        if (value instanceof Long) {
            return (Long) value;
        }
        throw new IllegalArgumentException("tensor " + what + " must be a 64-bit int, found " + value);
    }

    private static Number numpyScalar(NumpyDType dtype, byte[] raw) {
        ByteOrder order = dtype.byteOrder.equals(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer b = ByteBuffer.wrap(raw).order(order);
        int width;
        Number value;
        switch (dtype.code) {
            case "f8": width = 8; value = raw.length == 8 ? b.getDouble() : null; break;
            case "f4": width = 4; value = raw.length == 4 ? (double) b.getFloat() : null; break;
            case "f2": width = 2; value = raw.length == 2 ? (double) org.mutor.common.tensor.Float16.toFloat(b.getShort()) : null; break;
            case "i8": case "u8": width = 8; value = raw.length == 8 ? b.getLong() : null; break;
            case "i4": width = 4; value = raw.length == 4 ? (long) b.getInt() : null; break;
            case "u4": width = 4; value = raw.length == 4 ? b.getInt() & 0xFFFFFFFFL : null; break;
            case "i2": width = 2; value = raw.length == 2 ? (long) b.getShort() : null; break;
            case "u2": width = 2; value = raw.length == 2 ? (long) (b.getShort() & 0xFFFF) : null; break;
            case "i1": width = 1; value = raw.length == 1 ? (long) b.get() : null; break;
            case "u1": width = 1; value = raw.length == 1 ? (long) (b.get() & 0xFF) : null; break;
            default:
                throw new IllegalArgumentException("numpy scalar of dtype '" + dtype.code
                        + "' is not supported; supported: f2, f4, f8, i1, i2, i4, i8, u1, u2, u4, u8");
        }
        if (value == null) {
            throw new IllegalArgumentException("numpy scalar of dtype '" + dtype.code + "' needs " + width
                    + " bytes, found " + raw.length);
        }
        if (dtype.code.equals("u8") && value.longValue() < 0) {
            return new java.math.BigInteger(Long.toUnsignedString(value.longValue()));
        }
        return value;
    }

    private static byte[] bytes(PyGlobal global, List<Object> args) {
        if (args.isEmpty()) {
            return new byte[0];
        }
        Object data = args.get(0);
        if (data instanceof byte[]) {
            return ((byte[]) data).clone();
        }
        if (data instanceof String) {
            // Protocol 2 stores bytes as their Latin-1 text plus the encoding name.
            String encoding = args.size() > 1 ? String.valueOf(args.get(1)) : "";
            if (!encoding.equalsIgnoreCase("latin1") && !encoding.equalsIgnoreCase("latin-1")) {
                throw new IllegalArgumentException(global + " with encoding '" + encoding + "'; only latin1 is supported");
            }
            return ((String) data).getBytes(StandardCharsets.ISO_8859_1);
        }
        if (data instanceof List) {
            List<?> values = (List<?>) data;
            byte[] out = new byte[values.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) asLong(values.get(i), "byte");
            }
            return out;
        }
        throw new IllegalArgumentException(global + " of a " + PickleReader.describe(data) + " is not supported");
    }

    private static void atLeast(PyGlobal global, List<Object> args, int n) {
        if (args.size() < n) {
            throw new IllegalArgumentException(global + " needs at least " + n + " arguments, found " + args.size());
        }
    }

    private static <T> T expect(PyGlobal global, Object value, Class<T> type) {
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException(global + " expects a " + type.getSimpleName() + ", found "
                    + PickleReader.describe(value));
        }
        return type.cast(value);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(PyGlobal global, Object value) {
        return expect(global, value, List.class);
    }
}

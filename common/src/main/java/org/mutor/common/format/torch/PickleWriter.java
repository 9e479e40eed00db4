package org.mutor.common.format.torch;

import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the pickle of a {@code torch.save} zip archive with protocol 2, as torch does:
 * each tensor becomes a {@code torch._utils._rebuild_tensor_v2} call over a storage that
 * is referenced by persistent id and written as a separate archive entry.
 */
final class PickleWriter {

    /** Python's pickler batches SETITEMS and APPENDS by this many items. */
    private static final int BATCH = 1000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<HostTensor, Integer> storageKeys = new IdentityHashMap<>();
    private final List<HostTensor> storages = new ArrayList<>();

    /** Pickles {@code value}; returns the pickle bytes. Tensors are collected for {@link #storages()}. */
    byte[] write(Object value) {
        out.write(0x80);
        out.write(2);
        value(value, "");
        out.write('.');
        return out.toByteArray();
    }

    /** Tensors in storage-key order: storage {@code i} contains the contiguous bytes of tensor {@code i}. */
    List<HostTensor> storages() {
        return storages;
    }

    private void value(Object value, String path) {
        if (value == null) {
            out.write('N');
        } else if (value instanceof Boolean) {
            out.write((Boolean) value ? 0x88 : 0x89);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
            integer(((Number) value).longValue());
        } else if (value instanceof BigInteger) {
            long1((BigInteger) value);
        } else if (value instanceof Double || value instanceof Float) {
            out.write('G');
            long bits = Double.doubleToLongBits(((Number) value).doubleValue());
            for (int i = 7; i >= 0; i--) {
                out.write((int) (bits >>> (8 * i)) & 0xFF);
            }
        } else if (value instanceof String) {
            string((String) value);
        } else if (value instanceof byte[]) {
            bytes((byte[]) value);
        } else if (value instanceof DType) {
            global("torch", ((DType) value).torchName().substring("torch.".length()));
        } else if (value instanceof HostTensor) {
            tensor((HostTensor) value);
        } else if (value instanceof Map) {
            dict((Map<?, ?>) value, path);
        } else if (value instanceof ArgNamespace) {
            global("argparse", "Namespace");
            out.write(')');
            out.write(0x81); // NEWOBJ
            dict(((ArgNamespace) value).fields(), path);
            out.write('b'); // BUILD
        } else if (value instanceof List) {
            list((List<?>) value, path);
        } else {
            throw new IllegalArgumentException("value at '" + path + "' is a " + value.getClass().getName()
                    + "; torch.save files can hold maps, lists, tensors, numbers, strings, booleans, bytes and null");
        }
    }

    private void dict(Map<?, ?> map, String path) {
        out.write('}');
        List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
        for (int start = 0; start < entries.size(); start += BATCH) {
            out.write('(');
            for (Map.Entry<?, ?> entry : entries.subList(start, Math.min(entries.size(), start + BATCH))) {
                if (!(entry.getKey() instanceof String)) {
                    throw new IllegalArgumentException("dict key " + entry.getKey() + " at '" + path
                            + "' is not a String");
                }
                String key = (String) entry.getKey();
                string(key);
                value(entry.getValue(), path.isEmpty() ? key : path + "/" + key);
            }
            out.write('u'); // SETITEMS
        }
    }

    private void list(List<?> list, String path) {
        out.write(']');
        for (int start = 0; start < list.size(); start += BATCH) {
            out.write('(');
            for (int i = start; i < Math.min(list.size(), start + BATCH); i++) {
                value(list.get(i), path.isEmpty() ? Integer.toString(i) : path + "/" + i);
            }
            out.write('e'); // APPENDS
        }
    }

    private void tensor(HostTensor tensor) {
        Integer key = storageKeys.get(tensor);
        if (key == null) {
            key = storages.size();
            storageKeys.put(tensor, key);
            storages.add(tensor);
        }
        global("torch._utils", "_rebuild_tensor_v2");
        out.write('(');
        // Persistent id: ('storage', storage type, key, location, element count).
        out.write('(');
        string("storage");
        global("torch", storageType(tensor.dtype()));
        string(Integer.toString(key));
        string("cpu");
        integer(tensor.numel());
        out.write('t');
        out.write('Q'); // BINPERSID
        integer(0); // storage offset
        longTuple(tensor.shape());
        longTuple(HostTensor.contiguousStrides(tensor.shape()));
        out.write(0x89); // requires_grad = False
        global("collections", "OrderedDict"); // backward hooks: OrderedDict()
        out.write(')');
        out.write('R');
        out.write('t');
        out.write('R');
    }

    static String storageType(DType dtype) {
        switch (dtype) {
            case FLOAT32: return "FloatStorage";
            case FLOAT16: return "HalfStorage";
            case BFLOAT16: return "BFloat16Storage";
            case FLOAT64: return "DoubleStorage";
            case INT64: return "LongStorage";
            case INT32: return "IntStorage";
            case INT16: return "ShortStorage";
            case INT8: return "CharStorage";
            case UINT8: return "ByteStorage";
            case BOOL: return "BoolStorage";
            default: throw new IllegalArgumentException("no torch storage type for " + dtype);
        }
    }

    private void longTuple(long[] values) {
        if (values.length == 0) {
            out.write(')');
            return;
        }
        if (values.length > 3) {
            out.write('(');
        }
        for (long v : values) {
            integer(v);
        }
        out.write(values.length > 3 ? 't' : 0x84 + values.length); // TUPLE or TUPLE1..3
    }

    private void integer(long v) {
        if (v >= 0 && v < 0x100) {
            out.write('K');
            out.write((int) v);
        } else if (v >= 0 && v < 0x10000) {
            out.write('M');
            out.write((int) v & 0xFF);
            out.write((int) (v >>> 8) & 0xFF);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            for (int i = 0; i < 4; i++) {
                out.write((int) (v >>> (8 * i)) & 0xFF);
            }
        } else {
            long1(BigInteger.valueOf(v));
        }
    }

    /** LONG1: minimal little-endian two's complement, at most 255 bytes. */
    private void long1(BigInteger v) {
        byte[] bigEndian = v.toByteArray();
        if (bigEndian.length > 255) {
            throw new IllegalArgumentException("integer " + v + " needs more than 255 bytes");
        }
        out.write(0x8a);
        out.write(bigEndian.length);
        for (int i = bigEndian.length - 1; i >= 0; i--) {
            out.write(bigEndian[i]);
        }
    }

    private void string(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        for (int i = 0; i < 4; i++) {
            out.write((utf8.length >>> (8 * i)) & 0xFF);
        }
        out.writeBytes(utf8);
    }

    /** Protocol 2 has no bytes opcode, so bytes are pickled as Python does: _codecs.encode(latin-1 text, 'latin1'). */
    private void bytes(byte[] data) {
        if (data.length == 0) {
            global("__builtin__", "bytes");
            out.write(')');
            out.write('R');
            return;
        }
        global("_codecs", "encode");
        string(new String(data, StandardCharsets.ISO_8859_1));
        string("latin1");
        out.write(0x86);
        out.write('R');
    }

    private void global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }
}

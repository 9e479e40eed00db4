package org.mutor.common.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A typed, possibly strided view over little-endian bytes held on the host: a heap
 * buffer or a memory-mapped region of a checkpoint file.
 *
 * <p>Shape, strides and offset count elements, as in PyTorch. Construction checks
 * that every element the view can address lies inside its storage, so a corrupt
 * header can never make a read go out of bounds.
 */
public final class HostTensor {

    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final long offset;
    private final ByteBuffer storage;

    /**
     * Creates a view over {@code storage}.
     *
     * @param name used in the error message when the view reaches outside the storage
     * @throws IllegalArgumentException when the offset, a size or a stride is negative, or
     *     the last addressable element lies past the end of the storage
     */
    public HostTensor(String name, DType dtype, long[] shape, long[] strides, long offset, ByteBuffer storage) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
        this.storage = storage.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        checkBounds(name);
    }

    /** Creates a contiguous (row-major) view over the whole of {@code storage}. */
    public static HostTensor contiguous(String name, DType dtype, long[] shape, ByteBuffer storage) {
        return new HostTensor(name, dtype, shape, contiguousStrides(shape), 0, storage);
    }

    /** Copies float values into a new contiguous float32 tensor. */
    public static HostTensor ofFloats(long[] shape, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return contiguous("float values", DType.FLOAT32, shape, buffer);
    }

    /** Copies long values into a new contiguous int64 tensor. */
    public static HostTensor ofLongs(long[] shape, long[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asLongBuffer().put(values);
        return contiguous("long values", DType.INT64, shape, buffer);
    }

    /** Copies an engine array to the host, keeping its dtype. */
    public static HostTensor fromNDArray(NDArray array) {
        DType dtype = DType.fromEngine(array.getDataType());
        ByteBuffer bytes = array.toByteBuffer();
        ByteBuffer copy = ByteBuffer.allocate(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(bytes.order(ByteOrder.LITTLE_ENDIAN));
        copy.flip();
        return contiguous("engine array", dtype, array.getShape().getShape(), copy);
    }

    /** Row-major strides, in elements, for {@code shape}. */
    public static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long step = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = step;
            step *= Math.max(shape[i], 1);
        }
        return strides;
    }

    private void checkBounds(String name) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " and strides " + Arrays.toString(strides) + " differ in rank");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("tensor '" + name + "': negative storage offset " + offset);
        }
        long storageElements = storage.capacity() / dtype.byteSize();
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || strides[i] < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative size or stride in shape "
                        + Arrays.toString(shape) + ", strides " + Arrays.toString(strides));
            }
            if (shape[i] == 0) {
                return; // An empty tensor addresses nothing.
            }
            last += (shape[i] - 1) * strides[i];
        }
        if (last >= storageElements) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + ", strides " + Arrays.toString(strides) + " and offset " + offset
                    + " reach element " + last + " but its storage holds " + storageElements + " elements");
        }
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public long[] strides() {
        return strides.clone();
    }

    public long storageOffset() {
        return offset;
    }

    public int rank() {
        return shape.length;
    }

    /**
     * Returns a view of indices [start, start + length) along {@code dim}, sharing this
     * tensor's storage, as PyTorch's {@code narrow} does.
     *
     * @throws IllegalArgumentException when the range lies outside the axis
     */
    public HostTensor narrow(int dim, long start, long length) {
        if (dim < 0 || dim >= shape.length) {
            throw new IllegalArgumentException("cannot narrow axis " + dim + " of a tensor of rank " + shape.length);
        }
        if (start < 0 || length < 0 || start > shape[dim] - length) {
            throw new IllegalArgumentException("range [" + start + ", " + (start + length) + ") lies outside axis "
                    + dim + " of size " + shape[dim]);
        }
        long[] narrowed = shape.clone();
        narrowed[dim] = length;
        long from = length == 0 ? offset : offset + start * strides[dim];
        return new HostTensor("narrowed tensor", dtype, narrowed, strides, from, storage);
    }

    /** Number of elements (1 for a 0-d tensor). */
    public long numel() {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    /** Bytes the elements take when stored contiguously. */
    public long byteSize() {
        return numel() * dtype.byteSize();
    }

    public boolean isContiguous() {
        return Arrays.equals(strides, contiguousStrides(shape)) || numel() <= 1;
    }

    /**
     * Returns the elements in row-major order as little-endian bytes. A contiguous view
     * is returned without copying (a slice of the storage, possibly memory-mapped).
     */
    public ByteBuffer contiguousBytes() {
        long bytes = byteSize();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensor of " + bytes + " bytes exceeds the 2 GiB limit of one buffer");
        }
        if (isContiguous()) {
            return storage.slice((int) (offset * dtype.byteSize()), (int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        int size = dtype.byteSize();
        long n = numel();
        long[] index = new long[shape.length];
        for (long e = 0; e < n; e++) {
            long position = offset;
            for (int d = 0; d < shape.length; d++) {
                position += index[d] * strides[d];
            }
            int from = (int) (position * size);
            for (int b = 0; b < size; b++) {
                out.put(storage.get(from + b));
            }
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        out.flip();
        return out;
    }

    /** Returns the values widened to double, in row-major order. */
    public double[] toDoubleArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensor of " + n + " elements is too large for a Java array");
        }
        ByteBuffer bytes = contiguousBytes();
        double[] out = new double[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = readAsDouble(bytes, i);
        }
        return out;
    }

    /** Returns the values as float, in row-major order (bfloat16 and float16 widened exactly). */
    public float[] toFloatArray() {
        double[] values = toDoubleArray();
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /** Returns integer values as long, in row-major order. */
    public long[] toLongArray() {
        long n = numel();
        ByteBuffer bytes = contiguousBytes();
        long[] out = new long[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = readAsLong(bytes, i);
        }
        return out;
    }

    private double readAsDouble(ByteBuffer bytes, int i) {
        switch (dtype) {
            case FLOAT32: return bytes.getFloat(i * 4);
            case FLOAT64: return bytes.getDouble(i * 8);
            case FLOAT16: return Float16.toFloat(bytes.getShort(i * 2));
            case BFLOAT16: return Float.intBitsToFloat((bytes.getShort(i * 2) & 0xFFFF) << 16);
            default: return readAsLong(bytes, i);
        }
    }

    private long readAsLong(ByteBuffer bytes, int i) {
        switch (dtype) {
            case INT64: return bytes.getLong(i * 8);
            case INT32: return bytes.getInt(i * 4);
            case INT16: return bytes.getShort(i * 2);
            case INT8: return bytes.get(i);
            case UINT8: return bytes.get(i) & 0xFF;
            case BOOL: return bytes.get(i) != 0 ? 1 : 0;
            default: return (long) readAsDouble(bytes, i);
        }
    }

    /**
     * Copies the tensor into memory owned by the engine. bfloat16 is widened to float32
     * and int16 to int32 on the host, because creating either array type aborts the CPU
     * engine build.
     *
     * <p>The result never aliases the host bytes: an engine array created over a
     * read-only memory-mapped buffer would crash the JVM on the first in-place update.
     */
    public NDArray toNDArray(NDManager manager) {
        Shape ndShape = new Shape(shape);
        if (dtype == DType.BFLOAT16) {
            return EngineArrays.owned(manager.create(bfloat16ToFloat32(contiguousBytes()), ndShape,
                    ai.djl.ndarray.types.DataType.FLOAT32));
        }
        if (dtype == DType.INT16) {
            return EngineArrays.owned(manager.create(int16ToInt32(contiguousBytes()), ndShape,
                    ai.djl.ndarray.types.DataType.INT32));
        }
        ByteBuffer bytes = contiguousBytes();
        // DJL wraps a direct buffer without copying, so the wrapper is cloned into engine memory.
        ByteBuffer direct = bytes.isDirect() ? bytes : copyToDirect(bytes);
        return EngineArrays.owned(manager.create(direct, ndShape, dtype.engineType()));
    }

    private static ByteBuffer copyToDirect(ByteBuffer bytes) {
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        direct.put(bytes.duplicate());
        direct.flip();
        return direct;
    }

    /** Sign-extends packed little-endian int16 values to int32, because DJL 0.36's engine aborts on int16 arrays. */
    static ByteBuffer int16ToInt32(ByteBuffer int16) {
        int n = int16.remaining() / 2;
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer in = int16.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = in.position();
        for (int i = 0; i < n; i++) {
            out.putInt(i * 4, in.getShort(base + i * 2));
        }
        return out;
    }

    /** Widens packed little-endian bfloat16 values to float32 by shifting each into the high half. */
    static ByteBuffer bfloat16ToFloat32(ByteBuffer bf16) {
        int n = bf16.remaining() / 2;
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer in = bf16.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = in.position();
        for (int i = 0; i < n; i++) {
            out.putInt(i * 4, (in.getShort(base + i * 2) & 0xFFFF) << 16);
        }
        return out;
    }

    @Override
    public String toString() {
        return "HostTensor{" + dtype.shortName() + " " + Arrays.toString(shape) + "}";
    }
}

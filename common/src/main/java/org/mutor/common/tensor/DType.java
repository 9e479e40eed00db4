package org.mutor.common.tensor;

import ai.djl.ndarray.types.DataType;

import java.util.Locale;

/**
 * Element types that the checkpoint and array formats carry, with their names in
 * PyTorch, safetensors and NumPy.
 *
 * <p>bfloat16 and int16 exist only on the host side: the CPU engine build aborts on
 * them, so {@link HostTensor#toNDArray} widens them to float32 and int32.
 */
public enum DType {
    FLOAT32(4, "torch.float32", "F32", "<f4", DataType.FLOAT32),
    FLOAT16(2, "torch.float16", "F16", "<f2", DataType.FLOAT16),
    BFLOAT16(2, "torch.bfloat16", "BF16", null, DataType.FLOAT32),
    FLOAT64(8, "torch.float64", "F64", "<f8", DataType.FLOAT64),
    INT64(8, "torch.int64", "I64", "<i8", DataType.INT64),
    INT32(4, "torch.int32", "I32", "<i4", DataType.INT32),
    INT16(2, "torch.int16", "I16", "<i2", DataType.INT32),
    INT8(1, "torch.int8", "I8", "|i1", DataType.INT8),
    UINT8(1, "torch.uint8", "U8", "|u1", DataType.UINT8),
    BOOL(1, "torch.bool", "BOOL", "|b1", DataType.BOOLEAN);

    private final int byteSize;
    private final String torchName;
    private final String safetensorsName;
    private final String numpyDescr;
    private final DataType engineType;

    DType(int byteSize, String torchName, String safetensorsName, String numpyDescr, DataType engineType) {
        this.byteSize = byteSize;
        this.torchName = torchName;
        this.safetensorsName = safetensorsName;
        this.numpyDescr = numpyDescr;
        this.engineType = engineType;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Name as torch prints it, for example {@code torch.float32}. */
    public String torchName() {
        return torchName;
    }

    /** Name in a safetensors header, for example {@code F32}. */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** Little-endian NumPy descr, for example {@code <f4}; null where NumPy has no such type. */
    public String numpyDescr() {
        return numpyDescr;
    }

    /** Engine type that holds this data; bfloat16 maps to float32 and int16 to int32. */
    public DataType engineType() {
        return engineType;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT16 || this == BFLOAT16 || this == FLOAT64;
    }

    /** Short lower-case name, as used in listings ({@code float32}, {@code bfloat16}). */
    public String shortName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a safetensors dtype name.
     *
     * @throws IllegalArgumentException naming the value and the supported names
     */
    public static DType fromSafetensors(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unsupported safetensors dtype '" + name
                + "'; supported: F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL");
    }

    /** Maps an engine type back to the host type. */
    public static DType fromEngine(DataType type) {
        switch (type) {
            case FLOAT32: return FLOAT32;
            case FLOAT16: return FLOAT16;
            case FLOAT64: return FLOAT64;
            case INT64: return INT64;
            case INT32: return INT32;
            case INT8: return INT8;
            case UINT8: return UINT8;
            case BOOLEAN: return BOOL;
            default:
                if ("INT16".equals(type.name())) {
                    return INT16;
                }
                throw new IllegalArgumentException("engine dtype " + type + " has no host equivalent");
        }
    }
}

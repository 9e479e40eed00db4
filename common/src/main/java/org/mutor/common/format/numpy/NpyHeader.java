package org.mutor.common.format.numpy;

import org.mutor.common.format.FormatException;
import org.mutor.common.tensor.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The header of a NumPy {@code .npy} array: magic string, format version, and a
 * Python dict literal with the keys {@code descr}, {@code fortran_order} and
 * {@code shape}.
 *
 * @param dtype element type
 * @param shape array shape; empty for a 0-d array
 * @param fortranOrder true when the data is stored column-major
 * @param bigEndian true when multi-byte elements are stored big-endian
 * @param dataOffset bytes from the start of the array to its first element
 */
public record NpyHeader(DType dtype, long[] shape, boolean fortranOrder, boolean bigEndian, int dataOffset) {

    /** The six magic bytes {@code \x93NUMPY}. */
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** Bytes needed to read the magic, version and header length of any version. */
    static final int PREAMBLE_BYTES = 12;

    /** NumPy pads the header so the data starts at a multiple of this. */
    private static final int ALIGN = 64;

    /** Largest header that a version 1.0 header length field (2 bytes) can hold. */
    static final int MAX_V1_HEADER = 0xFFFF;

    /** Header length above which a file is rejected as corrupt rather than allocated. */
    private static final int MAX_HEADER_BYTES = 16 * 1024 * 1024;

    public NpyHeader {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (1 for a 0-d array). */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Bytes of element data that follow the header. */
    public long dataBytes() {
        return numel() * dtype.byteSize();
    }

    /**
     * Reads the total header length (magic to the end of the dict, which is where the
     * data starts) from the first {@link #PREAMBLE_BYTES} bytes, or fewer when the
     * whole file is shorter.
     *
     * @throws FormatException when the magic or version is wrong
     */
    static int headerLength(ByteBuffer preamble, String source) throws FormatException {
        ByteBuffer b = preamble.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int start = b.position();
        if (b.remaining() < 10) {
            throw new FormatException(source + ": too short for a .npy array (" + b.remaining() + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (b.get(start + i) != MAGIC[i]) {
                throw new FormatException(source + ": not a .npy array (the magic string \\x93NUMPY is missing)");
            }
        }
        int major = b.get(start + 6) & 0xFF;
        int minor = b.get(start + 7) & 0xFF;
        if (major == 1) {
            return 10 + (b.getShort(start + 8) & 0xFFFF);
        }
        if (major == 2 || major == 3) {
            if (b.remaining() < PREAMBLE_BYTES) {
                throw new FormatException(source + ": .npy header is truncated");
            }
            long length = b.getInt(start + 8) & 0xFFFFFFFFL;
            if (length > MAX_HEADER_BYTES) {
                throw new FormatException(source + ": .npy header length " + length + " exceeds "
                        + MAX_HEADER_BYTES + " bytes (corrupt file)");
            }
            return PREAMBLE_BYTES + (int) length;
        }
        throw new FormatException(source + ": unsupported .npy format version " + major + "." + minor
                + "; this reader handles versions 1.0, 2.0 and 3.0");
    }

    /**
     * Parses a complete header, magic to the end of the dict.
     *
     * @param header the first {@link #headerLength} bytes of the array
     * @param source names the file in error messages
     * @throws FormatException naming the bad field
     */
    public static NpyHeader parse(ByteBuffer header, String source) throws FormatException {
        int total = headerLength(header, source);
        if (header.remaining() < total) {
            throw new FormatException(source + ": .npy header is truncated (needs " + total + " bytes, has "
                    + header.remaining() + ")");
        }
        int major = header.get(header.position() + 6) & 0xFF;
        int dictStart = major == 1 ? 10 : PREAMBLE_BYTES;
        byte[] dictBytes = new byte[total - dictStart];
        header.duplicate().position(header.position() + dictStart).get(dictBytes);
        String text = new String(dictBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

        Map<String, Object> dict;
        try {
            dict = new PyLiteral(text).parseDict();
        } catch (IllegalArgumentException e) {
            throw new FormatException(source + ": .npy header dict is malformed: " + e.getMessage());
        }

        Object descr = dict.get("descr");
        Object fortran = dict.get("fortran_order");
        Object shapeValue = dict.get("shape");
        if (!(descr instanceof String) || !(fortran instanceof Boolean) || !(shapeValue instanceof long[])) {
            throw new FormatException(source + ": .npy header needs 'descr' (a string), 'fortran_order' (a bool)"
                    + " and 'shape' (a tuple of ints); found " + text.trim());
        }
        long[] dims = (long[]) shapeValue;
        for (long d : dims) {
            if (d < 0) {
                throw new FormatException(source + ": .npy shape " + Arrays.toString(dims) + " has a negative size");
            }
        }
        String code = (String) descr;
        boolean big = code.startsWith(">");
        DType dtype = dtypeOf(code, source);
        return new NpyHeader(dtype, dims, (Boolean) fortran, big && dtype.byteSize() > 1, total);
    }

    private static DType dtypeOf(String descr, String source) throws FormatException {
        String body = descr;
        if (!body.isEmpty() && "<>|=".indexOf(body.charAt(0)) >= 0) {
            body = body.substring(1);
        }
        for (DType t : DType.values()) {
            String own = t.numpyDescr();
            if (own != null && own.substring(1).equals(body)) {
                return t;
            }
        }
        throw new FormatException(source + ": unsupported .npy dtype '" + descr
                + "'; supported: f4, f2, f8, i8, i4, i2, i1, u1, b1 (structured and other types are not)");
    }

    /**
     * Encodes a C-order little-endian header, version 1.0 when it fits, else 2.0.
     */
    public static byte[] encode(DType dtype, long[] shape) {
        byte[] v1 = encode(dtype, shape, 1);
        return v1 != null ? v1 : encode(dtype, shape, 2);
    }

    /**
     * Encodes a header with the given major version (1 or 2); returns null when the dict
     * does not fit a version 1.0 length field.
     */
    static byte[] encode(DType dtype, long[] shape, int major) {
        return encode(dtype, shape, major, 0);
    }

    /** As {@link #encode(DType, long[], int)}, with {@code extraPadding} more spaces (for tests). */
    static byte[] encode(DType dtype, long[] shape, int major, int extraPadding) {
        if (dtype.numpyDescr() == null) {
            throw new IllegalArgumentException("dtype " + dtype.shortName()
                    + " has no NumPy equivalent; convert it to float32 before writing .npy");
        }
        StringBuilder dict = new StringBuilder("{'descr': '").append(dtype.numpyDescr())
                .append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(i > 0 ? ", " : "").append(shape[i]);
        }
        dict.append(shape.length == 1 ? ",)" : ")");
        dict.append(", }");
        int prefix = major == 1 ? 10 : PREAMBLE_BYTES;
        // Pad with spaces and end with a newline so the data starts 64-byte aligned.
        int unpadded = prefix + dict.length() + 1 + extraPadding;
        int total = (unpadded + ALIGN - 1) / ALIGN * ALIGN;
        dict.append(" ".repeat(total - prefix - dict.length() - 1)).append('\n');
        int dictLength = total - prefix;
        if (major == 1 && dictLength > MAX_V1_HEADER) {
            return null;
        }
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            out.putShort((short) dictLength);
        } else {
            out.putInt(dictLength);
        }
        out.put(dict.toString().getBytes(StandardCharsets.ISO_8859_1));
        return out.array();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && h.dtype == dtype && Arrays.equals(h.shape, shape)
                && h.fortranOrder == fortranOrder && h.bigEndian == bigEndian && h.dataOffset == dataOffset;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + dtype.hashCode();
    }

    @Override
    public String toString() {
        return "NpyHeader{" + dtype.shortName() + " " + Arrays.toString(shape)
                + (fortranOrder ? " fortran" : "") + (bigEndian ? " big-endian" : "") + "}";
    }
}

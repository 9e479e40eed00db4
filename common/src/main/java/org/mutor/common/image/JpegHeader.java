package org.mutor.common.image;

import org.mutor.common.format.FormatException;

/**
 * Walks the markers of a JPEG without decoding it: to reject what ImageIO cannot read, and
 * to tell a truncated file from a complete one before a decoder that pads it silently.
 */
final class JpegHeader {

    private JpegHeader() {
    }

    /**
     * Number of colour components declared by the first start-of-frame marker: 1 for
     * grayscale, 3 for YCbCr or RGB, 4 for CMYK or YCCK.
     *
     * @throws FormatException when the markers end or break off before a frame header
     */
    static int componentCount(byte[] data, String source) throws FormatException {
        int pos = 2; // After the start-of-image marker FF D8.
        while (pos < data.length) {
            if ((data[pos] & 0xFF) != 0xFF) {
                throw new FormatException("image " + source + " is a corrupt JPEG: expected a marker at byte "
                        + pos + "; re-copy or remove the file");
            }
            while (pos < data.length && (data[pos] & 0xFF) == 0xFF) {
                pos++; // Fill bytes before a marker code.
            }
            if (pos >= data.length) {
                break;
            }
            int marker = data[pos++] & 0xFF;
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                continue; // Markers without a length field.
            }
            if (marker == 0xD9 || marker == 0xDA) {
                throw new FormatException("image " + source + " is a corrupt JPEG: no frame header before "
                        + (marker == 0xDA ? "the scan" : "the end marker") + "; re-copy or remove the file");
            }
            if (pos + 2 > data.length) {
                break;
            }
            int length = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
            if (length < 2) {
                throw new FormatException("image " + source + " is a corrupt JPEG: segment length " + length
                        + " at byte " + pos + "; re-copy or remove the file");
            }
            if (isStartOfFrame(marker)) {
                // Segment: length(2) precision(1) height(2) width(2) components(1).
                if (pos + 8 > data.length) {
                    break;
                }
                return data[pos + 7] & 0xFF;
            }
            pos += length;
        }
        throw new FormatException("image " + source + " is a truncated JPEG: it ends before the frame header; "
                + "re-copy or remove the file");
    }

    /**
     * Checks that the markers, and the entropy-coded data after each start-of-scan, run
     * on to an end-of-image marker; bytes after that marker are allowed.
     *
     * @throws FormatException when the data ends first, or a marker is malformed
     */
    static void requireEndMarker(byte[] data, String source) throws FormatException {
        int pos = 2; // After the start-of-image marker FF D8.
        while (pos < data.length) {
            if ((data[pos] & 0xFF) != 0xFF) {
                throw new FormatException("image " + source + " is a corrupt JPEG: expected a marker at byte "
                        + pos + "; re-copy or remove the file");
            }
            while (pos < data.length && (data[pos] & 0xFF) == 0xFF) {
                pos++;
            }
            if (pos >= data.length) {
                break;
            }
            int marker = data[pos++] & 0xFF;
            if (marker == 0xD9) {
                return;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                continue;
            }
            if (pos + 2 > data.length) {
                break;
            }
            int length = ((data[pos] & 0xFF) << 8) | (data[pos + 1] & 0xFF);
            if (length < 2) {
                throw new FormatException("image " + source + " is a corrupt JPEG: segment length " + length
                        + " at byte " + pos + "; re-copy or remove the file");
            }
            pos += length;
            if (marker == 0xDA) {
                pos = skipEntropyData(data, pos);
            }
        }
        throw new FormatException("image " + source + " is a truncated JPEG: it ends before its end-of-image "
                + "marker; re-copy or remove the file");
    }

    /**
     * Index of the next marker after entropy-coded data starting at {@code pos}, or
     * {@code data.length}. Inside that data FF is followed by 00 (a stuffed byte), by a
     * restart marker D0..D7, or by more FF fill bytes before a marker.
     */
    private static int skipEntropyData(byte[] data, int pos) {
        int last = data.length - 1;
        while (pos < last) {
            if (data[pos] != (byte) 0xFF) {
                pos++;
                continue;
            }
            int next = data[pos + 1] & 0xFF;
            if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                pos += 2;
            } else if (next == 0xFF) {
                pos++;
            } else {
                return pos;
            }
        }
        return data.length;
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }
}

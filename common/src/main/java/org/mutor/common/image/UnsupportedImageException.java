package org.mutor.common.image;

import org.mutor.common.format.FormatException;

/**
 * A well-formed image that this decoder cannot convert to RGB, such as a CMYK JPEG,
 * which the JDK's ImageIO cannot read. Distinct from a corrupt file so that callers
 * can route such images to another decoder.
 */
public class UnsupportedImageException extends FormatException {

    private static final long serialVersionUID = 1L;

    private final String source;

    /**
     * @param source the file or archive entry, as named in the message
     * @param message one line: what the image uses and what can read it
     */
    public UnsupportedImageException(String source, String message) {
        super(message);
        this.source = source;
    }

    /** The file or archive entry that was rejected. */
    public String source() {
        return source;
    }
}

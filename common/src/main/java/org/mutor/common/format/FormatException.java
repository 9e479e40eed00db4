package org.mutor.common.format;

import java.io.IOException;

/** A file that does not follow its format: truncated, corrupt, or using a feature this reader rejects. */
public class FormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public FormatException(String message) {
        super(message);
    }

    public FormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.mutor.common.format;

/**
 * A checkpoint whose weights do not match the model config: missing, unexpected or
 * mis-shaped keys, each named in the message with the expected and stored shapes.
 */
public class WeightMismatchException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public WeightMismatchException(String message) {
        super(message);
    }
}

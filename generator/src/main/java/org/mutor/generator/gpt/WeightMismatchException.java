package org.mutor.generator.gpt;

/** A checkpoint whose weights do not match the model config: missing, unexpected or mis-shaped keys. */
public class WeightMismatchException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public WeightMismatchException(String message) {
        super(message);
    }
}

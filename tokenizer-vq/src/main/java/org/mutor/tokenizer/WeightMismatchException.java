package org.mutor.tokenizer;

/** A checkpoint whose weights do not match the tokenizer config: missing, unexpected or mis-shaped keys. */
public class WeightMismatchException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public WeightMismatchException(String message) {
        super(message);
    }
}

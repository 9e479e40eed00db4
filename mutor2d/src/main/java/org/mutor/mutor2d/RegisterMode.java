package org.mutor.mutor2d;

/** Placement rule of registers in a training sequence. */
public enum RegisterMode {
    /** No registers: plain next-token prediction, the baseline. */
    NONE,
    /** One register after every real token whose register target is valid. */
    FULL,
    /** {@code K} registers at valid places drawn at random, anew for each sample. */
    SPARSE
}

package org.mutor.mutor2d;

/**
 * How far ahead a register predicts: {@link LinearOffset} for 1D layouts, {@link GridOffset} for
 * 2D grids. A layout turns an offset into a flat shift {@code D} over the register-free sequence:
 * the register that follows real token {@code t} predicts token {@code t + D}.
 */
public sealed interface RegisterOffset permits LinearOffset, GridOffset {

    /** Returns the offset as the CLI writes it, such as {@code 2} or {@code 2,3}. */
    String label();
}

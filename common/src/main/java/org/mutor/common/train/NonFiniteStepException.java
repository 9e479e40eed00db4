package org.mutor.common.train;

import java.util.Locale;

/** A training step whose loss or gradient norm is NaN or infinite; the update was not applied. */
public class NonFiniteStepException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    private final long step;

    public NonFiniteStepException(long step, double loss, double gradNorm) {
        super(String.format(Locale.ROOT, "step %d: loss %s, gradient norm %s is not finite, so the update was "
                + "skipped; lower the learning rate and resume from the last checkpoint", step, loss, gradNorm));
        this.step = step;
    }

    /** Zero-based step that failed. */
    public long step() {
        return step;
    }
}

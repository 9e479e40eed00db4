package org.mutor.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.mutor.common.tensor.EngineArrays;

/** Loss terms shared by the image generator and the text LM. */
public final class Losses {

    private Losses() {
    }

    /**
     * Computes the per-position negative log-likelihood {@code [B, L]} of logits
     * {@code [B, L, V]} at the given targets (row-major, B * L of them). A target below 0
     * (the ignore index) gives 0 at its position.
     */
    public static NDArray tokenNll(NDManager manager, NDArray logits, long[] targets) {
        Shape shape = new Shape(logits.getShape().get(0), logits.getShape().get(1));
        long[] index = new long[targets.length];
        float[] valid = new float[targets.length];
        for (int i = 0; i < targets.length; i++) {
            index[i] = Math.max(0, targets[i]);
            valid[i] = targets[i] >= 0 ? 1 : 0;
        }
        NDArray logp = logits.logSoftmax(-1);                                                    // [B, L, V]
        NDArray picked = logp.gather(EngineArrays.create(manager, index, shape).expandDims(-1), -1).squeeze(-1); // [B, L]
        return picked.neg().mul(EngineArrays.create(manager, valid, shape));
    }
}

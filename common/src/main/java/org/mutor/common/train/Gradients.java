package org.mutor.common.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Collection;

/**
 * Operations on the gradients that the engine accumulates in the parameters.
 *
 * <p>The engine adds each backward pass into the stored gradients, so a training loop
 * calls {@link #zeroGrad} after every optimizer step; gradient accumulation over
 * micro-batches relies on exactly this behaviour.
 */
public final class Gradients {

    /** Added to the norm before dividing, as torch.nn.utils.clip_grad_norm_ does. */
    private static final float CLIP_EPS = 1e-6f;

    private Gradients() {
    }

    /**
     * Total L2 norm over all gradients of {@code params}: the norm of the per-tensor norms.
     * Parameters that do not require a gradient are skipped.
     */
    public static double globalNorm(Collection<Parameter> params) {
        try (NDScope scope = new NDScope(); NoGrad noGrad = new NoGrad()) {
            NDList norms = new NDList();
            for (Parameter p : params) {
                if (p.requiresGradient()) {
                    NDArray g = p.getArray().getGradient();
                    norms.add(g.square().sum().sqrt()); // () per tensor
                }
            }
            if (norms.isEmpty()) {
                return 0;
            }
            // (n) -> (): one host transfer for the whole model.
            return NDArrays.stack(norms).square().sum().sqrt().getFloat();
        }
    }

    /**
     * Scales all gradients by {@code maxNorm / (norm + 1e-6)} when their total L2 norm
     * exceeds {@code maxNorm}, as torch.nn.utils.clip_grad_norm_ does.
     *
     * @return the total norm before clipping
     */
    public static double clipGradNorm(Collection<Parameter> params, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("invalid max grad norm " + maxNorm + "; use a finite value > 0");
        }
        float total = (float) globalNorm(params);
        float coef = (float) maxNorm / (total + CLIP_EPS);
        if (coef < 1f) {
            try (NDScope scope = new NDScope(); NoGrad noGrad = new NoGrad()) {
                for (Parameter p : params) {
                    if (p.requiresGradient()) {
                        p.getArray().getGradient().muli(coef);
                    }
                }
            }
        }
        return total;
    }

    /** Sets the stored gradients of {@code params} to zero. */
    public static void zeroGrad(Collection<Parameter> params) {
        try (NDScope scope = new NDScope(); NoGrad noGrad = new NoGrad()) {
            for (Parameter p : params) {
                if (p.requiresGradient()) {
                    NDArray array = p.getArray();
                    if (array instanceof PtNDArray) {
                        JniUtils.zeroGrad((PtNDArray) array);
                    } else {
                        NDArray g = array.getGradient();
                        g.subi(g);
                    }
                }
            }
        }
    }
}

package org.mutor.common.train;

import org.mutor.common.tensor.EngineArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * Inverted dropout with masks drawn on the Java side, from a generator such as
 * {@link StepRandom#forStep}. The mask depends only on that generator, so it is the
 * same on CPU and GPU and after a resume.
 *
 * <p>The alternative, engine-side dropout, is also reproducible on the CPU because
 * {@link Trainer} reseeds the engine from (seed, step, micro-batch) before every
 * micro-batch; this helper is for code that needs masks independent of the device or of
 * the engine's kernels. It costs one host-side draw per element.
 */
public final class Dropout {

    private Dropout() {
    }

    /**
     * A mask of {@code shape} holding 0 with probability {@code p} and {@code 1 / (1 - p)}
     * otherwise, in {@code manager}.
     */
    public static NDArray mask(NDManager manager, Shape shape, double p, SplittableRandom random) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("invalid dropout probability " + p + "; use a value in [0, 1)");
        }
        long n = shape.size();
        if (n > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("dropout mask of " + n + " elements is too large for one buffer");
        }
        float keep = (float) (1 / (1 - p));
        ByteBuffer bytes = ByteBuffer.allocateDirect((int) n * 4).order(ByteOrder.nativeOrder());
        FloatBuffer values = bytes.asFloatBuffer();
        for (long i = 0; i < n; i++) {
            values.put(random.nextDouble() < p ? 0f : keep);
        }
        return EngineArrays.owned(manager.create(bytes, shape, DataType.FLOAT32));
    }

    /** {@code x * mask} in training, {@code x} itself otherwise (or when {@code p == 0}). */
    public static NDArray apply(NDArray x, double p, boolean training, SplittableRandom random) {
        if (!training || p == 0) {
            return x;
        }
        NDArray mask = mask(x.getManager(), x.getShape(), p, random);
        NDArray out = x.mul(mask.toType(x.getDataType(), false));
        return out;
    }
}

package org.mutor.common.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Creates engine arrays from Java data in memory that the engine owns.
 *
 * <p>DJL's {@code NDManager.create(float[] ...)} copies the data into a Java direct
 * buffer and hands libtorch a pointer into it; closing the array drops the buffer,
 * which the garbage collector may then free while libtorch still reads the memory
 * (through a view, or a tensor that autograd saved for backward). Training runs
 * showed it as NaN gradients at random steps that vanished with the garbage
 * collector disabled. Arrays made here are cloned into libtorch's own memory first.
 *
 * <p>The same holds for DJL's operators with a Java number operand ({@code x.mul(2f)}):
 * they wrap the number in such an array and close it at once, while autograd keeps it
 * for backward. Differentiable code multiplies by {@link #scalar} arrays instead.
 */
public final class EngineArrays {

    private EngineArrays() {
    }

    /** A 0-d array holding {@code value} in engine-owned memory, with the dtype of {@code like}. */
    public static NDArray scalar(NDArray like, double value) {
        NDManager manager = like.getManager();
        NDArray wrapped = manager.create((float) value);
        NDArray typed = like.getDataType() == wrapped.getDataType() ? wrapped
                : wrapped.toType(like.getDataType(), false);
        if (typed != wrapped) {
            wrapped.close();
            return typed; // toType already copied into engine memory
        }
        return owned(wrapped);
    }

    /** Copies {@code wrapped} into engine-owned memory and closes the wrapper. */
    public static NDArray owned(NDArray wrapped) {
        try (NDArray closing = wrapped) {
            return closing.duplicate();
        }
    }

    public static NDArray create(NDManager manager, float[] data, Shape shape) {
        return owned(manager.create(data, shape));
    }

    public static NDArray create(NDManager manager, int[] data, Shape shape) {
        return owned(manager.create(data, shape));
    }

    public static NDArray create(NDManager manager, long[] data, Shape shape) {
        return owned(manager.create(data, shape));
    }

    public static NDArray create(NDManager manager, long[] data) {
        return owned(manager.create(data));
    }

    public static NDArray create(NDManager manager, int[] data) {
        return owned(manager.create(data));
    }

    public static NDArray create(NDManager manager, float[] data) {
        return owned(manager.create(data));
    }
}

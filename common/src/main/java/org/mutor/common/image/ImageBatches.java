package org.mutor.common.image;

import org.mutor.common.tensor.EngineArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * Converts between lists of {@link RgbImage} and engine batches: float32
 * {@code [B, 3, H, W]} in [-1, 1], with the scaling rules of {@link RgbImage}.
 */
public final class ImageBatches {

    private ImageBatches() {
    }

    /**
     * Stacks images into a float32 {@code [B, 3, H, W]} array on {@code manager}'s device.
     *
     * @throws IllegalArgumentException when the list is empty or sizes differ
     */
    public static NDArray toBatch(NDManager manager, List<RgbImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("cannot make a batch of no images; pass at least one");
        }
        int w = images.get(0).width();
        int h = images.get(0).height();
        int plane = 3 * w * h;
        float[] values = new float[Math.multiplyExact(images.size(), plane)];
        for (int b = 0; b < images.size(); b++) {
            RgbImage image = images.get(b);
            if (image.width() != w || image.height() != h) {
                throw new IllegalArgumentException("batch image " + b + " is " + image.width() + "x"
                        + image.height() + " but image 0 is " + w + "x" + h + "; resize them to one size");
            }
            System.arraycopy(image.toChw(), 0, values, b * plane, plane);
        }
        return EngineArrays.create(manager, values, new Shape(images.size(), 3, h, w));
    }

    /**
     * Converts a {@code [B, 3, H, W]} batch in [-1, 1] (any float type) to images with
     * {@code clamp(127.5 * x + 128, 0, 255)} truncated toward zero.
     *
     * @throws IllegalArgumentException when the shape is not {@code [B, 3, H, W]}
     */
    public static List<RgbImage> fromBatch(NDArray batch) {
        Shape shape = batch.getShape();
        if (shape.dimension() != 4 || shape.get(1) != 3) {
            throw new IllegalArgumentException("image batch has shape " + shape + "; expected [B, 3, H, W]");
        }
        int count = (int) shape.get(0);
        int h = (int) shape.get(2);
        int w = (int) shape.get(3);
        float[] values;
        if (batch.getDataType() == DataType.FLOAT32) {
            values = batch.toFloatArray();
        } else {
            try (NDArray asFloat = batch.toType(DataType.FLOAT32, false)) {
                values = asFloat.toFloatArray();
            }
        }
        List<RgbImage> images = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            images.add(RgbImage.fromChw(values, b * 3 * w * h, w, h));
        }
        return images;
    }
}

package org.mutor.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A network that turns uint8 RGB images into the features the metrics use. The metric
 * code is the same for every extractor; only the network differs: {@link InceptionExtractor}
 * for published ImageNet numbers, {@link org.mutor.eval.fmnist.FmnistExtractor} for
 * Fashion-MNIST. Implementations run in inference mode only, so features never depend on
 * the batch size.
 */
public interface FeatureExtractor extends AutoCloseable {

    /**
     * Features of one batch, owned by the manager passed to {@link #extract}.
     *
     * @param pool features for FID and precision/recall {@code [B, featureDim]}
     * @param logits class logits for IS {@code [B, classCount]}
     * @param spatial features for sFID {@code [B, spatialDim]}, or null when the extractor has none
     */
    record Batch(NDArray pool, NDArray logits, NDArray spatial) {
    }

    /** Short name, as on the command line: {@code inception} or {@code fmnist}. */
    String name();

    /** Width of the pool features. */
    int featureDim();

    /** Number of classes of the logits. */
    int classCount();

    /** Width of the spatial features, or 0 when the extractor has none (no sFID). */
    int spatialDim();

    /**
     * Extracts features of uint8 images {@code [B, H, W, 3]}.
     *
     * @throws IllegalArgumentException when the image size is not one this network accepts
     */
    Batch extract(NDArray images, NDManager manager);

    @Override
    void close();
}

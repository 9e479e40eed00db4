package org.mutor.eval.fmnist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.mutor.eval.FeatureExtractor;

import java.io.IOException;

/**
 * Fashion-MNIST features from the bundled {@link FmnistClassifier}: the 128-d penultimate
 * activations for FID and precision/recall, the 10 class logits (with bias: it is an
 * ordinary classifier) for IS; no spatial features, so no sFID.
 *
 * <p>Input convention: uint8 RGB {@code [B, H, W, 3]}, either 28x28 (the dataset) or
 * 32x32 (the tokenizer's padded images and generated samples), which are centre-cropped
 * to 28x28 (2 pixels off each side). Channels are averaged to gray and scaled by 1/255.
 * Samples in [-1, 1] become uint8 by {@link org.mutor.common.image.RgbImage#toByte}
 * before they are written to an .npz or PNG.
 */
public final class FmnistExtractor implements FeatureExtractor {

    private final FmnistClassifier classifier;
    private final NDManager manager;

    private FmnistExtractor(FmnistClassifier classifier, NDManager manager) {
        this.classifier = classifier;
        this.manager = manager;
    }

    /** Loads the weights bundled with the library. */
    public static FmnistExtractor loadBundled(NDManager parent) throws IOException {
        NDManager manager = parent.newSubManager();
        return new FmnistExtractor(FmnistClassifier.loadBundled(manager), manager);
    }

    @Override
    public String name() {
        return "fmnist";
    }

    @Override
    public int featureDim() {
        return FmnistClassifier.FEATURES;
    }

    @Override
    public int classCount() {
        return FmnistClassifier.CLASSES;
    }

    @Override
    public int spatialDim() {
        return 0;
    }

    @Override
    public Batch extract(NDArray images, NDManager target) {
        long h = images.getShape().get(1);
        long w = images.getShape().get(2);
        NDArray x = images.toDevice(target.getDevice(), true);
        x.attach(target);
        if (h == 32 && w == 32) {
            x = x.get(":, 2:30, 2:30, :");
        } else if (h != 28 || w != 28) {
            throw new IllegalArgumentException("Fashion-MNIST features need 28x28 or 32x32 images, got " + h + "x" + w
                    + "; use --features inception for other sizes");
        }
        // [B, 28, 28, 3] -> [B, 1, 28, 28] gray in [0, 1]
        NDArray gray = x.toType(DataType.FLOAT32, false).mean(new int[] {3}).div(255f).expandDims(1);
        NDArray features = classifier.features(gray);
        return new Batch(features, classifier.logits(features), null);
    }

    @Override
    public void close() {
        manager.close();
    }
}

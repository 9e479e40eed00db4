package org.mutor.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.mutor.eval.inception.FidInceptionV3;
import org.mutor.eval.inception.InceptionLayout;
import org.mutor.eval.inception.InceptionWeights;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The FID Inception-v3: pool_3 features (2048), logits without bias over 1008 classes,
 * and the 2023-d spatial features of Mixed_6d for sFID. Images of any size are resized to
 * 299x299 by TF1's bilinear rule inside the network.
 */
public final class InceptionExtractor implements FeatureExtractor {

    private final InceptionWeights weights;
    private final FidInceptionV3 network;

    private InceptionExtractor(InceptionWeights weights) {
        this.weights = weights;
        this.network = new FidInceptionV3(weights);
    }

    /** Loads weights from {@code file}, see {@link InceptionWeights#locate} to find them. */
    public static InceptionExtractor load(Path file, NDManager manager) throws IOException {
        return new InceptionExtractor(InceptionWeights.load(file, manager));
    }

    @Override
    public String name() {
        return "inception";
    }

    @Override
    public int featureDim() {
        return weights.layout().poolDim();
    }

    @Override
    public int classCount() {
        return InceptionLayout.CLASSES;
    }

    @Override
    public int spatialDim() {
        return FidInceptionV3.SPATIAL_DIM;
    }

    @Override
    public Batch extract(NDArray images, NDManager manager) {
        NDArray input = images.getManager() == manager ? images : images.toDevice(manager.getDevice(), true);
        input.attach(manager);
        FidInceptionV3.Outputs out = network.forward(input);
        return new Batch(out.pool(), out.logits(), out.spatial());
    }

    @Override
    public void close() {
        weights.close();
    }
}

package org.mutor.eval;

import java.nio.file.Path;

/**
 * Settings of an evaluation.
 *
 * @param features {@code inception} (published ImageNet protocol) or {@code fmnist}
 * @param inceptionWeights weights file, or null to search the models folder
 *     ({@link org.mutor.eval.inception.InceptionWeights#locate})
 * @param batchSize images per network call; features do not depend on it
 * @param isSplitSize consecutive samples per IS split (5,000 in the protocol)
 * @param precisionRecall whether to compute precision/recall (keeps all sample features in memory:
 *     50,000 x 2048 floats is 400 MB)
 */
public record EvalOptions(String features, Path inceptionWeights, int batchSize, int isSplitSize,
                          boolean precisionRecall) {

    public EvalOptions {
        if (!features.equals("inception") && !features.equals("fmnist")) {
            throw new IllegalArgumentException("invalid features '" + features + "'; use inception or fmnist");
        }
        if (batchSize < 1 || isSplitSize < 1) {
            throw new IllegalArgumentException("invalid batch size " + batchSize + " or IS split " + isSplitSize
                    + "; both must be positive");
        }
    }

    /** Inception features, weights from the models folder, batch 50, splits of 5,000, with precision/recall. */
    public static EvalOptions defaults() {
        return new EvalOptions("inception", null, 50, 5000, true);
    }

    public EvalOptions withFeatures(String value) {
        return new EvalOptions(value, inceptionWeights, batchSize, isSplitSize, precisionRecall);
    }

    public EvalOptions withInceptionWeights(Path value) {
        return new EvalOptions(features, value, batchSize, isSplitSize, precisionRecall);
    }

    public EvalOptions withBatchSize(int value) {
        return new EvalOptions(features, inceptionWeights, value, isSplitSize, precisionRecall);
    }

    public EvalOptions withIsSplitSize(int value) {
        return new EvalOptions(features, inceptionWeights, batchSize, value, precisionRecall);
    }
}

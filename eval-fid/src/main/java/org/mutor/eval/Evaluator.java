package org.mutor.eval;

import ai.djl.ndarray.NDManager;
import org.mutor.common.engine.EngineSetup;
import org.mutor.eval.fmnist.FmnistExtractor;
import org.mutor.eval.inception.InceptionWeights;
import org.mutor.eval.metrics.FrechetDistance;
import org.mutor.eval.metrics.PrecisionRecall;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Library entry point of {@code mutor eval}: compares generated samples with a reference
 * the way the ADM evaluator does (FID and sFID against the reference statistics, IS of the
 * samples, precision/recall against the reference images).
 *
 * <p>Either side may be a folder of PNG/JPEG images, an ADM .npz with {@code arr_0} uint8
 * {@code [N, H, W, 3]} (read in batches, never whole), or a statistics .npz with
 * {@code mu}, {@code sigma} and optionally {@code mu_s}, {@code sigma_s} and {@code arr_0}.
 * When {@code mu}/{@code sigma} are present they are used for FID instead of features of
 * {@code arr_0}; {@code arr_0} still serves precision/recall and missing spatial statistics.
 */
public final class Evaluator {

    private Evaluator() {
    }

    /** Opens the extractor that {@code options} names, on the engine's device. */
    public static FeatureExtractor openExtractor(EvalOptions options, NDManager manager) throws IOException {
        if (options.features().equals("fmnist")) {
            return FmnistExtractor.loadBundled(manager);
        }
        return InceptionExtractor.load(InceptionWeights.locate(options.inceptionWeights()), manager);
    }

    /** Evaluates {@code samples} against {@code reference}. */
    public static EvalResult evaluate(Path samples, Path reference, EvalOptions options) throws IOException {
        try (NDManager manager = NDManager.newBaseManager(EngineSetup.device());
             FeatureExtractor extractor = openExtractor(options, manager)) {
            return evaluate(samples, reference, options, extractor, manager);
        }
    }

    /** As {@link #evaluate(Path, Path, EvalOptions)} with an extractor the caller owns. */
    public static EvalResult evaluate(Path samples, Path reference, EvalOptions options, FeatureExtractor extractor,
                                      NDManager manager) throws IOException {
        SideStats ref = SideStats.load(reference, extractor, options, options.precisionRecall(), manager);
        SideStats sam = SideStats.load(samples, extractor, options, options.precisionRecall()
                && ref.poolFeatures() != null, manager);
        Double fid = sam.pool() != null && ref.pool() != null
                ? FrechetDistance.compute(sam.pool(), ref.pool(), manager) : null;
        Double sfid = sam.spatial() != null && ref.spatial() != null
                ? FrechetDistance.compute(sam.spatial(), ref.spatial(), manager) : null;
        Double precision = null;
        Double recall = null;
        if (options.precisionRecall() && sam.poolFeatures() != null && ref.poolFeatures() != null) {
            PrecisionRecall.Result pr = PrecisionRecall.compute(ref.poolFeatures(), sam.poolFeatures(),
                    extractor.featureDim(), manager);
            precision = pr.precision();
            recall = pr.recall();
        }
        var is = sam.inceptionScore();
        return new EvalResult(extractor.name(), sam.imageCount(), fid, sfid, is == null ? null : is.mean(),
                is == null ? null : is.std(), is == null ? 0 : is.splits(), precision, recall);
    }
}

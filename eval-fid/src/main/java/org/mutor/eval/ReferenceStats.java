package org.mutor.eval;

import ai.djl.ndarray.NDManager;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.FormatException;
import org.mutor.common.format.numpy.NpzWriter;
import org.mutor.common.tensor.HostTensor;
import org.mutor.eval.metrics.GaussianStats;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Library entry point of {@code mutor eval stats}: computes reference statistics from a
 * folder of images or an .npz with {@code arr_0} and writes them atomically as an .npz
 * with {@code mu}, {@code sigma} (float64), {@code mu_s}, {@code sigma_s} when the
 * extractor has spatial features, and optionally {@code features} (float32 {@code [N, D]}
 * pool features, for precision/recall without the images).
 */
public final class ReferenceStats {

    /** What was written. */
    public record Summary(Path out, long images, int featureDim, boolean spatial, boolean features) {
    }

    private ReferenceStats() {
    }

    /** Builds statistics of {@code input} into {@code out}. */
    public static Summary build(Path input, Path out, EvalOptions options, boolean keepFeatures) throws IOException {
        try (NDManager manager = NDManager.newBaseManager(EngineSetup.device());
             FeatureExtractor extractor = Evaluator.openExtractor(options, manager)) {
            return build(input, out, options, keepFeatures, extractor, manager);
        }
    }

    /** As {@link #build(Path, Path, EvalOptions, boolean)} with an extractor the caller owns. */
    public static Summary build(Path input, Path out, EvalOptions options, boolean keepFeatures,
                                FeatureExtractor extractor, NDManager manager) throws IOException {
        SideStats side = SideStats.load(input, extractor, options, keepFeatures, manager);
        if (side.imageCount() < 2 || side.pool() == null) {
            throw new FormatException(input + " gave " + side.imageCount() + " images; reference statistics need "
                    + "at least 2 images (a folder of PNG/JPEG or an .npz with arr_0 uint8 [N, H, W, 3])");
        }
        Map<String, HostTensor> arrays = new LinkedHashMap<>();
        put(arrays, "mu", "sigma", side.pool());
        if (side.spatial() != null) {
            put(arrays, "mu_s", "sigma_s", side.spatial());
        }
        if (keepFeatures && side.poolFeatures() != null) {
            float[] f = side.poolFeatures();
            arrays.put("features", HostTensor.ofFloats(new long[] {f.length / extractor.featureDim(),
                    extractor.featureDim()}, f));
        }
        NpzWriter.write(out, arrays);
        return new Summary(out, side.imageCount(), extractor.featureDim(), side.spatial() != null,
                arrays.containsKey("features"));
    }

    private static void put(Map<String, HostTensor> arrays, String muKey, String sigmaKey, GaussianStats stats) {
        int d = stats.dim();
        arrays.put(muKey, doubles(new long[] {d}, stats.mu()));
        arrays.put(sigmaKey, doubles(new long[] {d, d}, stats.sigma()));
    }

    private static HostTensor doubles(long[] shape, double[] values) {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(values.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bytes.asDoubleBuffer().put(values);
        return HostTensor.contiguous("stats", org.mutor.common.tensor.DType.FLOAT64, shape, bytes);
    }
}

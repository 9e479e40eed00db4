package org.mutor.eval;

import ai.djl.ndarray.NDManager;
import org.mutor.common.format.FormatException;
import org.mutor.common.format.numpy.NpzReader;
import org.mutor.common.progress.Progress;
import org.mutor.common.tensor.HostTensor;
import org.mutor.eval.metrics.GaussianStats;
import org.mutor.eval.metrics.InceptionScore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What one side of a comparison provides: statistics for FID and sFID (read from a
 * statistics file or computed from images), the inception score of its images, and its
 * pool features for precision/recall. Any part may be null.
 */
record SideStats(GaussianStats pool, GaussianStats spatial, InceptionScore.Score inceptionScore,
                 float[] poolFeatures, long imageCount) {

    /** Keys a statistics file may hold. */
    static final String EXPECTED = "mu [D] and sigma [D, D] float (optionally mu_s, sigma_s, and arr_0 uint8 "
            + "[N, H, W, 3]), or arr_0 alone";

    /**
     * Reads {@code path}: a folder of images, an .npz with {@code arr_0}, or a statistics
     * .npz with {@code mu}/{@code sigma} (used for FID instead of features of its images).
     *
     * @param wantFeatures keep pool features of the images for precision/recall
     */
    static SideStats load(Path path, FeatureExtractor extractor, EvalOptions options, boolean wantFeatures,
                          NDManager manager) throws IOException {
        if (Files.isDirectory(path)) {
            try (ImageSource source = ImageSource.ofFolder(path)) {
                return fromImages(source, extractor, options, wantFeatures, true, true, manager, path);
            }
        }
        try (NpzReader reader = NpzReader.open(path)) {
            Set<String> names = reader.entries().stream().map(NpzReader.Entry::name).collect(Collectors.toSet());
            boolean hasStats = names.contains("mu") || names.contains("sigma");
            if (hasStats && !(names.contains("mu") && names.contains("sigma"))) {
                throw new FormatException(path + " has " + (names.contains("mu") ? "mu but no sigma" : "sigma but no mu")
                        + "; expected " + EXPECTED);
            }
            if (names.contains("mu_s") != names.contains("sigma_s")) {
                throw new FormatException(path + " has only one of mu_s and sigma_s; expected " + EXPECTED);
            }
            if (!hasStats && !names.contains("arr_0")) {
                throw new FormatException(path + " has neither arr_0 nor mu/sigma (found " + names + "); expected "
                        + EXPECTED);
            }
            GaussianStats pool = hasStats ? read(path, reader, "mu", "sigma", extractor.featureDim()) : null;
            GaussianStats spatial = names.contains("mu_s") && extractor.spatialDim() > 0
                    ? read(path, reader, "mu_s", "sigma_s", extractor.spatialDim()) : null;
            boolean needPool = pool == null;
            boolean needSpatial = spatial == null && extractor.spatialDim() > 0;
            if (names.contains("arr_0") && (needPool || needSpatial || wantFeatures || !hasStats)) {
                try (ImageSource source = ImageSource.ofNpz(path, reader)) {
                    SideStats fromImages = fromImages(source, extractor, options, wantFeatures, needPool, needSpatial,
                            manager, path);
                    return new SideStats(pool != null ? pool : fromImages.pool(),
                            spatial != null ? spatial : fromImages.spatial(), fromImages.inceptionScore(),
                            fromImages.poolFeatures(), fromImages.imageCount());
                }
            }
            float[] stored = null;
            if (wantFeatures && names.contains("features")) {
                HostTensor f = reader.entry("features").read();
                if (f.rank() != 2 || f.shape()[1] != extractor.featureDim()) {
                    throw new FormatException(path + ": features is " + f + "; expected float [N, "
                            + extractor.featureDim() + "] pool features");
                }
                stored = f.toFloatArray();
            }
            return new SideStats(pool, spatial, null, stored, 0);
        }
    }

    private static GaussianStats read(Path path, NpzReader reader, String muKey, String sigmaKey, int dim)
            throws IOException {
        HostTensor mu = reader.entry(muKey).read();
        HostTensor sigma = reader.entry(sigmaKey).read();
        if (mu.rank() != 1 || mu.shape()[0] != dim || !mu.dtype().isFloatingPoint()
                || !Arrays.equals(sigma.shape(), new long[] {dim, dim}) || !sigma.dtype().isFloatingPoint()) {
            throw new FormatException(path + ": " + muKey + " is " + mu + " and " + sigmaKey + " is " + sigma
                    + "; expected float " + muKey + " [" + dim + "] and " + sigmaKey + " [" + dim + ", " + dim
                    + "] for these features");
        }
        return new GaussianStats(mu.toDoubleArray(), sigma.toDoubleArray(), -1);
    }

    static SideStats fromImages(ImageSource source, FeatureExtractor extractor, EvalOptions options,
                                boolean wantFeatures, boolean wantPool, boolean wantSpatial, NDManager manager,
                                Path origin) throws IOException {
        InceptionScore is = new InceptionScore(extractor.classCount(), options.isSplitSize());
        float[] features = null;
        int stored = 0;
        long count = 0;
        try (GaussianStats.Accumulator poolAcc = new GaussianStats.Accumulator(manager);
             GaussianStats.Accumulator spatialAcc = new GaussianStats.Accumulator(manager);
             Progress progress = Progress.start("features " + origin.getFileName(), source.count())) {
            HostTensor batch;
            while ((batch = source.next(options.batchSize())) != null) {
                try (NDManager sub = manager.newSubManager()) {
                    FeatureExtractor.Batch out = extractor.extract(batch.toNDArray(sub), sub);
                    if (wantPool) {
                        poolAcc.add(out.pool());
                    }
                    if (wantSpatial && out.spatial() != null) {
                        spatialAcc.add(out.spatial());
                    }
                    is.add(out.logits().toFloatArray());
                    if (wantFeatures) {
                        float[] f = out.pool().toFloatArray();
                        if (features == null || stored + f.length > features.length) {
                            long want = source.count() > 0 ? source.count() * extractor.featureDim()
                                    : Math.max(2L * (stored + f.length), 1 << 16);
                            features = Arrays.copyOf(features == null ? new float[0] : features,
                                    Math.toIntExact(Math.max(want, stored + f.length)));
                        }
                        System.arraycopy(f, 0, features, stored, f.length);
                        stored += f.length;
                    }
                }
                count += batch.shape()[0];
                progress.step(batch.shape()[0]);
            }
            GaussianStats pool = wantPool && poolAcc.count() >= 2 ? poolAcc.result() : null;
            GaussianStats spatial = wantSpatial && spatialAcc.count() >= 2 ? spatialAcc.result() : null;
            return new SideStats(pool, spatial, count > 0 ? is.result() : null,
                    features == null ? null : Arrays.copyOf(features, stored), count);
        }
    }
}

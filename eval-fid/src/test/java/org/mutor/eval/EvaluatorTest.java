package org.mutor.eval;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.FormatException;
import org.mutor.common.format.numpy.NpzReader;
import org.mutor.common.format.numpy.NpzWriter;
import org.mutor.common.tensor.DType;
import org.mutor.common.tensor.HostTensor;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End-to-end evaluation on the narrow random-weight network, and bad input. */
class EvaluatorTest {

    static final Path WEIGHTS = Path.of("src/test/resources/eval/inception_narrow.pth");
    static NDManager manager;
    static FeatureExtractor extractor;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() throws Exception {
        EngineSetup.offline();
        manager = NDManager.newBaseManager(EngineSetup.device());
        extractor = InceptionExtractor.load(WEIGHTS, manager);
    }

    @AfterAll
    static void close() {
        extractor.close();
        manager.close();
    }

    static HostTensor images(int n, int side, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] bytes = new byte[n * side * side * 3];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return HostTensor.contiguous("arr_0", DType.UINT8, new long[] {n, side, side, 3}, ByteBuffer.wrap(bytes));
    }

    static EvalOptions options(int batch) {
        return EvalOptions.defaults().withInceptionWeights(WEIGHTS).withBatchSize(batch).withIsSplitSize(4);
    }

    @Test
    void featuresDoNotDependOnBatchSize() throws Exception {
        Path file = dir.resolve("samples.npz");
        NpzWriter.write(file, Map.of("arr_0", images(6, 24, 1)));
        float[] one;
        float[] all;
        try (NpzReader r = NpzReader.open(file); ImageSource s = ImageSource.ofNpz(file, r)) {
            one = SideStats.fromImages(s, extractor, options(1), true, true, true, manager, file).poolFeatures();
        }
        try (NpzReader r = NpzReader.open(file); ImageSource s = ImageSource.ofNpz(file, r)) {
            all = SideStats.fromImages(s, extractor, options(50), true, true, true, manager, file).poolFeatures();
        }
        assertEquals(6 * 256, one.length);
        for (int i = 0; i < one.length; i++) {
            assertEquals(all[i], one[i], 1e-5 * Math.max(1, Math.abs(all[i])), "feature " + i);
        }
    }

    @Test
    void aSetAgainstItsOwnStatisticsScoresZeroFid() throws Exception {
        Path samples = dir.resolve("samples.npz");
        NpzWriter.write(samples, Map.of("arr_0", images(12, 20, 2)));
        Path stats = dir.resolve("ref.npz");
        ReferenceStats.Summary summary = ReferenceStats.build(samples, stats, options(5), true, extractor, manager);
        assertEquals(12, summary.images());
        assertTrue(summary.spatial());
        assertTrue(summary.features());
        EvalResult r = Evaluator.evaluate(samples, stats, options(5), extractor, manager);
        // 12 samples in 256 dimensions: singular covariances get the 1e-6 diagonal offset in the
        // square-root term only, which shifts the result by -2 * 1e-6 * 256 as in the references.
        assertEquals(-2 * 1e-6 * 256, r.fid(), 1e-6, "FID");
        assertTrue(Math.abs(r.sfid()) < 2 * 1e-6 * 2023 * 1.5, "sFID " + r.sfid());
        assertEquals(3, r.isSplits());
        assertEquals(1.0, r.precision(), 0);
        assertEquals(1.0, r.recall(), 0);
        assertTrue(r.table().contains("FID"));
    }

    @Test
    void statisticsWithoutImagesGiveFidOnly() throws Exception {
        Path samples = dir.resolve("samples.npz");
        NpzWriter.write(samples, Map.of("arr_0", images(8, 20, 3)));
        Path other = dir.resolve("other.npz");
        NpzWriter.write(other, Map.of("arr_0", images(8, 20, 4)));
        Path stats = dir.resolve("ref.npz");
        ReferenceStats.build(other, stats, options(8), false, extractor, manager);
        EvalResult r = Evaluator.evaluate(samples, stats, options(8), extractor, manager);
        assertNotNull(r.fid());
        assertTrue(r.fid() > 0, "fid " + r.fid());
        assertTrue(Double.isFinite(r.fid()), "fid " + r.fid());
        assertNotNull(r.inceptionScore());
        assertNull(r.precision());
    }

    @Test
    void floatSampleArrayIsRejectedWithTheExpectedLayout() throws Exception {
        Path file = dir.resolve("bad.npz");
        NpzWriter.write(file, Map.of("arr_0", HostTensor.ofFloats(new long[] {2, 4, 4, 3}, new float[96])));
        FormatException e = assertThrows(FormatException.class,
                () -> Evaluator.evaluate(file, file, options(2), extractor, manager));
        assertTrue(e.getMessage().contains("expected uint8 [N, H, W, 3]"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void sampleArrayWithoutChannelsIsRejected() throws Exception {
        Path file = dir.resolve("bad.npz");
        HostTensor gray = HostTensor.contiguous("arr_0", DType.UINT8, new long[] {2, 4, 4}, ByteBuffer.allocate(32));
        NpzWriter.write(file, Map.of("arr_0", gray));
        FormatException e = assertThrows(FormatException.class,
                () -> Evaluator.evaluate(file, file, options(2), extractor, manager));
        assertTrue(e.getMessage().contains("[2, 4, 4]"), e.getMessage());
        assertTrue(e.getMessage().contains("[N, H, W, 3]"), e.getMessage());
    }

    @Test
    void statisticsFileMissingSigmaIsRejected() throws Exception {
        Path samples = dir.resolve("samples.npz");
        NpzWriter.write(samples, Map.of("arr_0", images(4, 20, 5)));
        Path stats = dir.resolve("stats.npz");
        NpzWriter.write(stats, Map.of("mu", HostTensor.ofFloats(new long[] {256}, new float[256])));
        FormatException e = assertThrows(FormatException.class,
                () -> Evaluator.evaluate(samples, stats, options(2), extractor, manager));
        assertTrue(e.getMessage().contains("mu but no sigma") && e.getMessage().contains("expected mu [D] and sigma"),
                e.getMessage());
    }

    @Test
    void resizeMatrixOf299IsIdentityAndUpsamplingBlendsNeighbours() {
        float[] m = org.mutor.eval.inception.TfBilinear.matrix(2, 4);
        // scale 0.5: outputs read 0, 0.5, 1, 1.5 -> clamped to the last row
        assertArrayEquals(new float[] {1, 0, 0.5f, 0.5f, 0, 1, 0, 1}, m);
    }
}

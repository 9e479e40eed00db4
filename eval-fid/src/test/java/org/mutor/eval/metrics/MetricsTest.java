package org.mutor.eval.metrics;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.numpy.NpzReader;
import org.mutor.common.tensor.HostTensor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FID, IS and precision/recall against scipy and numpy reference values. */
class MetricsTest {

    static NDManager manager;
    static Map<String, HostTensor> fx;

    @BeforeAll
    static void load() throws Exception {
        EngineSetup.offline();
        manager = NDManager.newBaseManager(EngineSetup.device());
        fx = NpzReader.readAll(Path.of("src/test/resources/eval/metrics.npz"));
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static double scalar(String key) {
        return fx.get(key).toDoubleArray()[0];
    }

    static GaussianStats stats(float[] rows, int dim, int count) {
        try (GaussianStats.Accumulator acc = new GaussianStats.Accumulator(manager)) {
            // uneven batches: the result must not depend on how rows arrive
            int at = 0;
            for (int b : new int[] {7, 300, 1000}) {
                int n = Math.min(b, count - at);
                if (n > 0) {
                    acc.add(manager.create(Arrays.copyOfRange(rows, at * dim, (at + n) * dim), new Shape(n, dim)));
                    at += n;
                }
            }
            if (at < count) {
                acc.add(manager.create(Arrays.copyOfRange(rows, at * dim, count * dim), new Shape(count - at, dim)));
            }
            return acc.result();
        }
    }

    @Test
    void fidMatchesScipySqrtm() {
        float[] x1 = fx.get("x1").toFloatArray();
        float[] x2 = fx.get("x2").toFloatArray();
        double fid = FrechetDistance.compute(stats(x1, 64, 3000), stats(x2, 64, 3000), manager);
        double expected = scalar("fid");
        assertEquals(expected, fid, 1e-6 * expected);
    }

    @Test
    void fidOfASetWithItselfIsZero() {
        GaussianStats s = stats(fx.get("x1").toFloatArray(), 64, 3000);
        assertTrue(Math.abs(FrechetDistance.compute(s, s, manager)) < 1e-6);
    }

    @Test
    void singularCovarianceUsesTheDiagonalOffset() {
        GaussianStats a = stats(fx.get("x1").toFloatArray(), 64, 50);
        GaussianStats b = stats(fx.get("x2").toFloatArray(), 64, 50);
        double fid = FrechetDistance.compute(a, b, manager);
        double expected = scalar("fid_singular");
        assertTrue(Double.isFinite(fid));
        assertEquals(expected, fid, 1e-4 * expected);
    }

    @Test
    void inceptionScoreMatchesNumpy() {
        InceptionScore is = new InceptionScore(10, (int) scalar("is_split"));
        float[] logits = fx.get("logits").toFloatArray();
        is.add(Arrays.copyOfRange(logits, 0, 130));       // 13 rows
        is.add(Arrays.copyOfRange(logits, 130, logits.length));
        InceptionScore.Score score = is.result();
        assertEquals(3, score.splits());                    // 1200 = 500 + 500 + 200
        assertEquals(scalar("is_mean"), score.mean(), 1e-9 * scalar("is_mean"));
        assertEquals(scalar("is_std"), score.std(), 1e-7);
    }

    @Test
    void precisionRecallMatchNumpy() {
        PrecisionRecall.Result r = PrecisionRecall.compute(fx.get("ref").toFloatArray(), fx.get("sam").toFloatArray(),
                16, manager);
        assertEquals(scalar("precision"), r.precision(), 1e-12);
        assertEquals(scalar("recall"), r.recall(), 1e-12);
    }

    /** Prints the time of FID from two 2048-d statistics; recorded in docs/BENCHMARKS.md, not asserted. */
    @Test
    void fid2048FromStatistics() {
        int d = 2048;
        GaussianStats a = randomSpd(d, 1);
        GaussianStats b = randomSpd(d, 2);
        long start = System.nanoTime();
        double fid = FrechetDistance.compute(a, b, manager);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("FID from two %d-d statistics: %.3f s (value %.3f)%n", d, seconds, fid);
        assertTrue(Double.isFinite(fid) && fid > 0);
    }

    private static GaussianStats randomSpd(int d, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] g = new double[d * d];
        for (int i = 0; i < g.length; i++) {
            g[i] = random.nextGaussian() / Math.sqrt(d);
        }
        double[] sigma;
        try (NDManager sub = manager.newSubManager()) {
            var m = sub.create(g, new Shape(d, d));
            sigma = m.matMul(m.transpose()).add(sub.eye(d).toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                    .mul(0.01)).toDoubleArray();
        }
        double[] mu = new double[d];
        for (int i = 0; i < d; i++) {
            mu[i] = random.nextGaussian();
        }
        return new GaussianStats(mu, sigma, -1);
    }
}

package org.mutor.eval.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Improved precision and recall (k = 3) of the ADM evaluator. Each point's radius is the
 * distance to its k-th nearest neighbour in its own set, itself excluded. Precision is the
 * fraction of samples inside at least one reference ball; recall the fraction of
 * reference points inside at least one sample ball.
 *
 * <p>Pairwise squared distances {@code |a|^2 + |b|^2 - 2 a.b} come from matrix products on
 * the engine in float64, a block of rows at a time, so memory stays near
 * {@value #BLOCK_ELEMENTS} doubles whatever the set sizes.
 */
public final class PrecisionRecall {

    /** Nearest-neighbour rank that sets the radius. */
    public static final int K = 3;
    /** Upper bound on the elements of one distance block. */
    public static final long BLOCK_ELEMENTS = 1L << 24;

    /** Result of one comparison. */
    public record Result(double precision, double recall) {
    }

    private PrecisionRecall() {
    }

    /**
     * Compares row-major feature sets {@code reference [R, D]} and {@code samples [S, D]}.
     *
     * @throws IllegalArgumentException when a set has K or fewer points or widths differ
     */
    public static Result compute(float[] reference, float[] samples, int dim, NDManager parent) {
        try (NDManager manager = parent.newSubManager()) {
            NDArray ref = points(reference, dim, manager, "reference");
            NDArray sam = points(samples, dim, manager, "samples");
            NDArray refRadii = radii(ref);
            NDArray samRadii = radii(sam);
            double precision = covered(sam, ref, refRadii);
            double recall = covered(ref, sam, samRadii);
            return new Result(precision, recall);
        }
    }

    private static NDArray points(float[] values, int dim, NDManager manager, String what) {
        if (values.length % dim != 0 || values.length / dim <= K) {
            throw new IllegalArgumentException(what + " has " + values.length + " values; precision/recall needs "
                    + "more than " + K + " vectors of width " + dim);
        }
        return manager.create(values, new Shape(values.length / dim, dim)).toType(DataType.FLOAT64, false);
    }

    private static long rowsPerBlock(long columns) {
        return Math.max(1, BLOCK_ELEMENTS / columns);
    }

    /** Squared distances {@code [b, n]} from rows {@code a} to all rows of {@code b}. */
    private static NDArray squaredDistances(NDArray a, NDArray b, NDArray bNorms) {
        NDArray aNorms = a.square().sum(new int[] {1}, true);
        return aNorms.add(bNorms.reshape(1, -1)).sub(a.matMul(b.transpose()).mul(2)).maximum(0);
    }

    /** Squared distance of every point to its K-th nearest other point {@code [n]}. */
    private static NDArray radii(NDArray x) {
        long n = x.getShape().get(0);
        NDArray norms = x.square().sum(new int[] {1});
        NDArray out = x.getManager().zeros(new Shape(n), DataType.FLOAT64);
        long block = rowsPerBlock(n);
        for (long start = 0; start < n; start += block) {
            long end = Math.min(n, start + block);
            try (NDManager tmp = x.getManager().newSubManager()) {
                NDArray rows = x.get(start + ":" + end);
                rows.attach(tmp);
                NDArray d = squaredDistances(rows, x, norms);
                // the K + 1 smallest include the point itself at distance 0
                NDArray smallest = d.neg().topK(K + 1, 1).get(0).neg();
                out.set(new ai.djl.ndarray.index.NDIndex(start + ":" + end), smallest.get(":, " + K));
            }
        }
        return out;
    }

    /** Fraction of {@code points} within the radius of at least one of {@code centres}. */
    private static double covered(NDArray points, NDArray centres, NDArray radii) {
        long n = points.getShape().get(0);
        NDArray norms = centres.square().sum(new int[] {1});
        long inside = 0;
        long block = rowsPerBlock(centres.getShape().get(0));
        for (long start = 0; start < n; start += block) {
            long end = Math.min(n, start + block);
            try (NDManager tmp = points.getManager().newSubManager()) {
                NDArray rows = points.get(start + ":" + end);
                rows.attach(tmp);
                NDArray d = squaredDistances(rows, centres, norms);
                // [b] = 1 where some ball holds the point
                NDArray hit = d.lte(radii.reshape(1, -1)).toType(DataType.INT32, false).max(new int[] {1});
                inside += hit.toType(DataType.INT64, false).sum().getLong();
            }
        }
        return (double) inside / n;
    }
}

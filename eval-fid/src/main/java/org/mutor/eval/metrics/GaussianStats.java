package org.mutor.eval.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Mean and covariance (N - 1 in the denominator, as numpy's {@code np.cov}) of a set of
 * feature vectors, as FID needs them.
 *
 * @param mu mean {@code [D]}
 * @param sigma covariance, row-major {@code [D, D]}
 * @param count number of vectors they summarise, or -1 when read from a statistics file
 */
public record GaussianStats(double[] mu, double[] sigma, long count) {

    public GaussianStats {
        if (sigma.length != (long) mu.length * mu.length) {
            throw new IllegalArgumentException("sigma has " + sigma.length + " values but mu has " + mu.length
                    + "; sigma must be [D, D] for mu [D]");
        }
    }

    public int dim() {
        return mu.length;
    }

    /**
     * Streaming accumulator on the engine in float64. Sums are taken around the first
     * batch's mean, so the covariance keeps its precision when features share a large
     * offset. Memory: two {@code [D, D]} float64 arrays.
     */
    public static final class Accumulator implements AutoCloseable {
        private final NDManager manager;
        private NDArray shift;   // [D]
        private NDArray sum;     // [D]
        private NDArray outer;   // [D, D]
        private long count;

        public Accumulator(NDManager parent) {
            this.manager = parent.newSubManager();
        }

        /** Adds feature vectors {@code [B, D]} (any float type). */
        public void add(NDArray features) {
            try (NDManager tmp = manager.newSubManager()) {
                NDArray x = features.toType(DataType.FLOAT64, true);
                x.attach(tmp);
                if (shift == null) {
                    shift = x.mean(new int[] {0});
                    shift.attach(manager);
                    long d = x.getShape().get(1);
                    sum = manager.zeros(new Shape(d), DataType.FLOAT64);
                    outer = manager.zeros(new Shape(d, d), DataType.FLOAT64);
                } else if (x.getShape().get(1) != shift.getShape().get(0)) {
                    throw new IllegalArgumentException("features have width " + x.getShape().get(1)
                            + " but earlier batches had " + shift.getShape().get(0));
                }
                // [B, D]
                NDArray centred = x.sub(shift);
                sum.addi(centred.sum(new int[] {0}));
                outer.addi(centred.transpose().matMul(centred));
                count += x.getShape().get(0);
            }
        }

        public long count() {
            return count;
        }

        /** Mean and covariance of everything added; needs at least 2 vectors. */
        public GaussianStats result() {
            if (count < 2) {
                throw new IllegalStateException("covariance needs at least 2 feature vectors, got " + count);
            }
            try (NDManager tmp = manager.newSubManager()) {
                NDArray m = sum.div(count);
                m.attach(tmp);
                // sigma = (sum c c^T - n m m^T) / (n - 1), with c = x - shift and m the mean of c
                NDArray mm = m.reshape(-1, 1).matMul(m.reshape(1, -1)).mul(count);
                NDArray sigma = outer.sub(mm).div(count - 1);
                sigma.attach(tmp);
                NDArray sym = sigma.add(sigma.transpose()).div(2);
                NDArray mu = m.add(shift);
                return new GaussianStats(mu.toDoubleArray(), sym.toDoubleArray(), count);
            }
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}

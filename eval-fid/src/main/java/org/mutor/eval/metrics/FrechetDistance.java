package org.mutor.eval.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fréchet distance between two Gaussians, the formula of FID and sFID:
 * {@code ||mu1 - mu2||^2 + Tr(S1) + Tr(S2) - 2 Tr(sqrtm(S1 S2))}.
 *
 * <p>{@code Tr(sqrtm(S1 S2))} is the sum of square roots of the eigenvalues of the
 * symmetric positive semi-definite {@code L^T S2 L}, with {@code L} the Cholesky factor
 * of S1 (same spectrum as {@code S1 S2}); tiny negative eigenvalues from rounding count as 0.
 * When S1 is singular (for example fewer samples than dimensions), 1e-6 is added to
 * both diagonals before the square-root term, as the reference implementations do, and a
 * warning is logged; the traces keep the original matrices. The {@code [D, D]} products
 * run on the engine in float64; Cholesky and eigenvalues use EJML.
 */
public final class FrechetDistance {

    /** Diagonal offset used when a covariance is singular. */
    public static final double OFFSET = 1e-6;

    private static final Logger LOG = LoggerFactory.getLogger(FrechetDistance.class);

    private FrechetDistance() {
    }

    /** Distance between {@code a} and {@code b}; always finite for finite inputs. */
    public static double compute(GaussianStats a, GaussianStats b, NDManager manager) {
        int d = a.dim();
        if (b.dim() != d) {
            throw new IllegalArgumentException("statistics have different widths " + d + " and " + b.dim()
                    + "; both sides must come from the same feature extractor");
        }
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            double diff = a.mu()[i] - b.mu()[i];
            meanTerm += diff * diff;
        }
        double traces = trace(a.sigma(), d) + trace(b.sigma(), d);
        double[] s1 = a.sigma();
        double[] s2 = b.sigma();
        DMatrixRMaj lower = cholesky(s1, d);
        if (lower == null) {
            LOG.warn("covariance is singular ({} dimensions, {} samples); adding {} to the diagonals as the "
                    + "reference implementations do", d, a.count() < 0 ? "unknown" : a.count(), OFFSET);
            s1 = withOffset(s1, d);
            s2 = withOffset(s2, d);
            lower = cholesky(s1, d);
            if (lower == null) {
                throw new ArithmeticException("covariance is not positive semi-definite even after adding " + OFFSET
                        + " to the diagonal; the statistics are corrupt");
            }
        }
        double traceSqrt = sumSqrtEigenvalues(lower.data, s2, d, manager);
        return meanTerm + traces - 2 * traceSqrt;
    }

    private static double trace(double[] m, int d) {
        double t = 0;
        for (int i = 0; i < d; i++) {
            t += m[i * d + i];
        }
        return t;
    }

    private static double[] withOffset(double[] m, int d) {
        double[] out = m.clone();
        for (int i = 0; i < d; i++) {
            out[i * d + i] += OFFSET;
        }
        return out;
    }

    /** Lower Cholesky factor, or null when the matrix is not numerically positive definite. */
    private static DMatrixRMaj cholesky(double[] m, int d) {
        DMatrixRMaj matrix = DMatrixRMaj.wrap(d, d, m.clone());
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(d, true);
        if (!chol.decompose(matrix)) {
            return null;
        }
        DMatrixRMaj lower = chol.getT(null);
        double maxDiag = 0;
        for (int i = 0; i < d; i++) {
            maxDiag = Math.max(maxDiag, m[i * d + i]);
        }
        for (int i = 0; i < d; i++) {
            double pivot = lower.get(i, i);
            // A pivot this small means a zero eigenvalue that rounding happened to make positive.
            if (!(pivot * pivot > 1e-12 * maxDiag)) {
                return null;
            }
        }
        return lower;
    }

    /** Sum of sqrt(max(0, eigenvalue)) of {@code L^T S2 L}. */
    private static double sumSqrtEigenvalues(double[] lower, double[] s2, int d, NDManager parent) {
        double[] product;
        try (NDManager manager = parent.newSubManager()) {
            NDArray l = manager.create(lower, new Shape(d, d));
            NDArray s = manager.create(s2, new Shape(d, d));
            // [D, D] = L^T S2 L, symmetrised against rounding
            NDArray m = l.transpose().matMul(s).matMul(l);
            product = m.add(m.transpose()).div(2).toDoubleArray();
        }
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(d, false, true);
        if (!eig.decompose(DMatrixRMaj.wrap(d, d, product))) {
            throw new ArithmeticException("eigenvalue decomposition of a " + d + "x" + d
                    + " covariance product did not converge");
        }
        double sum = 0;
        for (int i = 0; i < d; i++) {
            sum += Math.sqrt(Math.max(0, eig.getEigenvalue(i).getReal()));
        }
        return sum;
    }
}

package org.mutor.tokenizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/**
 * Nearest-neighbour quantisation against the codebook. With L2 normalisation (every
 * LlamaGen preset) both the vectors and the codebook rows are normalised first, so
 * the search is by cosine, and the quantised vector is the normalised row.
 *
 * <p>Dimension letters: M vectors (B * h * w positions), D codebook width, K codebook rows.
 */
final class VectorQuantizer {

    private static final double NORMALIZE_EPS = 1e-12;
    private static final double TRAIN_EPS_SQUARED = 1e-12;

    private VectorQuantizer() {
    }

    /** Returns the rows used for search and lookup, [K, D], normalised when {@code l2Norm}. */
    static NDArray codebook(NDArray weight, boolean l2Norm) {
        return l2Norm ? weight.normalize(2, 1, NORMALIZE_EPS) : weight;
    }

    /**
     * Flattens to one vector per position, [B, D, h, w] -> [M, D] in row-major grid
     * order, normalised when {@code l2Norm}.
     */
    static NDArray flatten(NDArray z, boolean l2Norm) {
        long d = z.getShape().get(1);
        NDArray flat = z.transpose(0, 2, 3, 1).reshape(-1, d);
        return l2Norm ? flat.normalize(2, 1, NORMALIZE_EPS) : flat;
    }

    /**
     * {@link #flatten} with a normalisation whose gradient stays finite: z / sqrt(|z|^2 + eps^2)
     * equals z / max(|z|, eps) to float precision for |z| well above eps = 1e-12 ... 1e-6, but
     * its backward pass at a zero vector is finite, where that of the plain norm is 0/0. One such
     * position is enough to turn every weight into NaN after the next update.
     */
    static NDArray flattenForTraining(NDArray z, boolean l2Norm) {
        long d = z.getShape().get(1);
        NDArray flat = z.transpose(0, 2, 3, 1).reshape(-1, d);
        if (!l2Norm) {
            return flat;
        }
        NDArray norm = flat.square().sum(new int[] {1}, true).add((float) TRAIN_EPS_SQUARED).sqrt(); // [M, 1]
        return flat.div(norm);
    }

    /**
     * Finds the nearest row for each vector, [M] int64, by the squared distance
     * |z|^2 + |e|^2 - 2 z.e. The terms are combined in the reference's order, so
     * near-ties resolve the same way.
     */
    static NDArray nearest(NDArray z, NDArray codebook) {
        NDArray zSquare = z.square().sum(new int[] {1}, true);          // [M, 1]
        NDArray eSquare = codebook.square().sum(new int[] {1});         // [K]
        NDArray distance = zSquare.add(eSquare).sub(z.matMul(codebook.transpose()).mul(2)); // [M, K]
        return distance.argMin(1);
    }

    /** Gathers the rows of integer codes of any shape into codes.shape + [D], with gradients to the codebook. */
    static NDArray lookup(NDArray codebook, NDArray codes) {
        return Embedding.embedding(codes, codebook, SparseFormat.DENSE).singletonOrThrow();
    }
}

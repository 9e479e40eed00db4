package org.mutor.generator.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/** Embedding lookup that keeps gradients flowing into the table. */
final class Embeddings {

    private Embeddings() {
    }

    /** Rows of {@code table} [V, C] for integer ids of any shape; result shape ids.shape + [C]. */
    static NDArray lookup(NDArray table, NDArray ids) {
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }
}

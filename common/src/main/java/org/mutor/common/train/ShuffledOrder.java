package org.mutor.common.train;

import java.util.SplittableRandom;

/**
 * Epoch-wise shuffled order over {@code size} examples. Each epoch's permutation is a
 * pure function of (seed, epoch), so the whole state is the number of examples consumed:
 * saving {@link #consumed} and restoring it with {@link #seek} resumes the exact order.
 */
public final class ShuffledOrder {

    private final int size;
    private final long seed;
    private long consumed;
    private long cachedEpoch = -1;
    private int[] cached;

    public ShuffledOrder(int size, long seed) {
        if (size <= 0) {
            throw new IllegalArgumentException("invalid dataset size " + size + "; need at least one example");
        }
        this.size = size;
        this.seed = seed;
    }

    public int size() {
        return size;
    }

    /** Examples handed out so far, over all epochs. */
    public long consumed() {
        return consumed;
    }

    /** Current epoch (0-based): the epoch of the next example. */
    public long epoch() {
        return consumed / size;
    }

    /** Moves to the position after {@code consumedExamples} examples, as saved by {@link #consumed}. */
    public void seek(long consumedExamples) {
        if (consumedExamples < 0) {
            throw new IllegalArgumentException("invalid data position " + consumedExamples + "; it must be >= 0");
        }
        consumed = consumedExamples;
    }

    /** Returns the next {@code batch} example indices, running on into the next epoch when one ends. */
    public int[] next(int batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException("invalid batch size " + batch + "; use a positive size");
        }
        int[] out = new int[batch];
        for (int i = 0; i < batch; i++) {
            out[i] = permutation(consumed / size)[(int) (consumed % size)];
            consumed++;
        }
        return out;
    }

    /** The permutation of epoch {@code epoch} (Fisher-Yates with a generator from seed and epoch). */
    public int[] permutation(long epoch) {
        if (epoch != cachedEpoch) {
            int[] p = new int[size];
            for (int i = 0; i < size; i++) {
                p[i] = i;
            }
            SplittableRandom random = StepRandom.forStep(seed, epoch, StepRandom.STREAM_DATA);
            for (int i = size - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            cached = p;
            cachedEpoch = epoch;
        }
        return cached;
    }
}

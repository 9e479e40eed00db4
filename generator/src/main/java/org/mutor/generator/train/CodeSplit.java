package org.mutor.generator.train;

import org.mutor.common.data.CodeShards;
import org.mutor.common.train.StepRandom;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A subset of the images of a code folder, by index.
 *
 * @param shards the folder
 * @param indices image indices of the subset, ascending
 */
record CodeSplit(CodeShards shards, int[] indices) {

    /** Stream of the hold-out draw, apart from all per-step streams. */
    private static final long STREAM_SPLIT = 0x56414CL;

    /** Returns a split of all images of {@code shards}. */
    static CodeSplit all(CodeShards shards) {
        int[] all = new int[shards.size()];
        Arrays.setAll(all, i -> i);
        return new CodeSplit(shards, all);
    }

    /**
     * Splits off {@code round(size * fraction)} images, drawn from the seed, for validation
     * (code folders are often sorted by class, so a tail would hold a single class).
     *
     * @return the training part, then the validation part
     */
    static CodeSplit[] holdOut(CodeShards shards, double fraction, long seed) {
        int n = shards.size();
        int heldOut = (int) Math.round(n * fraction);
        if (heldOut >= n) {
            throw new IllegalArgumentException("val_fraction " + fraction + " leaves no training images out of " + n);
        }
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        SplittableRandom random = StepRandom.forStep(seed, 0, STREAM_SPLIT);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] val = Arrays.copyOf(order, heldOut);
        int[] train = Arrays.copyOfRange(order, heldOut, n);
        Arrays.sort(val);
        Arrays.sort(train);
        return new CodeSplit[] {new CodeSplit(shards, train), new CodeSplit(shards, val)};
    }

    int size() {
        return indices.length;
    }
}

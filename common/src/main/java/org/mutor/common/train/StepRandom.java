package org.mutor.common.train;

import java.util.SplittableRandom;

/**
 * Random generators derived from (seed, step, stream) alone, so that a resumed run draws
 * exactly the numbers an uninterrupted run would: no generator state needs saving.
 *
 * <p>The three values are folded through the SplitMix64 finalizer (a bijective 64-bit
 * mix with full avalanche), so neighbouring steps and streams give unrelated seeds.
 * Streams separate independent uses within one step (data order, dropout, crop offsets).
 */
public final class StepRandom {

    /** Stream reserved for the engine's own generator (engine-side dropout), per micro-batch. */
    public static final long STREAM_ENGINE = 0x454E47L;
    /** Stream for the data order of an epoch. */
    public static final long STREAM_DATA = 0x44415441L;

    private StepRandom() {
    }

    /** Mixes a 64-bit seed from the run seed, the step and the stream id. */
    public static long seed(long seed, long step, long stream) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        h = mix(h + step * 0xBF58476D1CE4E5B9L + 0x632BE59BD9B4E019L);
        return mix(h + stream * 0x94D049BB133111EBL + 0x2545F4914F6CDD1DL);
    }

    /** A generator for one (step, stream) of a run. */
    public static SplittableRandom forStep(long seed, long step, long stream) {
        return new SplittableRandom(seed(seed, step, stream));
    }

    /** Derives a 32-bit seed for {@code Engine.setRandomSeed}, which takes an int. */
    public static int engineSeed(long seed, long step, long micro) {
        long s = seed(seed, step, STREAM_ENGINE + (micro << 32));
        return (int) (s ^ (s >>> 32));
    }

    /** Applies the SplitMix64 finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

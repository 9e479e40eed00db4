package org.mutor.common.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mutor.common.engine.EngineSetup;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per-step generators, the shuffled order, Java-side masks and engine reseeding. */
class RandomnessTest {

    private static NDManager manager;

    @BeforeAll
    static void start() {
        EngineSetup.offline();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void stepSeedsAreStableAndDistinct() {
        assertEquals(StepRandom.seed(1, 2, 3), StepRandom.seed(1, 2, 3));
        Set<Long> seen = new HashSet<>();
        for (long step = 0; step < 100; step++) {
            for (long stream = 0; stream < 10; stream++) {
                assertTrue(seen.add(StepRandom.seed(5, step, stream)), "collision at " + step + "/" + stream);
            }
        }
        assertNotEquals(StepRandom.seed(1, 2, 3), StepRandom.seed(1, 3, 2));
        assertEquals(StepRandom.forStep(9, 4, 1).nextLong(), StepRandom.forStep(9, 4, 1).nextLong());
    }

    @Test
    void shuffledOrderIsAPermutationPerEpochAndSeekable() {
        ShuffledOrder order = new ShuffledOrder(10, 3);
        int[] epoch0 = order.next(10);
        int[] sorted = epoch0.clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted);
        int[] epoch1 = order.next(10);
        assertFalse(Arrays.equals(epoch0, epoch1), "epochs share one order");
        assertEquals(2, order.epoch());
        ShuffledOrder a = new ShuffledOrder(10, 3);
        int[] straight = a.next(27);
        ShuffledOrder b = new ShuffledOrder(10, 3);
        b.seek(13);
        assertArrayEquals(Arrays.copyOfRange(straight, 13, 27), b.next(14));
    }

    @Test
    void javaMaskRateScaleAndRepeat() {
        NDArray mask = Dropout.mask(manager, new Shape(100, 100), 0.25, StepRandom.forStep(1, 0, 0));
        float[] v = mask.toFloatArray();
        int zeros = 0;
        for (float x : v) {
            assertTrue(x == 0f || Math.abs(x - 4f / 3f) < 1e-6, "mask value " + x);
            zeros += x == 0f ? 1 : 0;
        }
        assertEquals(0.25, zeros / 10000.0, 0.02);
        assertArrayEquals(v, Dropout.mask(manager, new Shape(100, 100), 0.25, StepRandom.forStep(1, 0, 0))
                .toFloatArray());
        NDArray x = manager.ones(new Shape(4));
        assertTrue(Dropout.apply(x, 0.5, false, StepRandom.forStep(1, 0, 0)) == x);
    }

    @Test
    void reseedingTheEngineRepeatsEngineDropout() {
        ai.djl.nn.norm.Dropout dropout = ai.djl.nn.norm.Dropout.builder().optRate(0.5f).build();
        dropout.initialize(manager, DataType.FLOAT32, new Shape(64, 64));
        NDArray ones = manager.ones(new Shape(64, 64));
        Engine engine = Engine.getInstance();
        engine.setRandomSeed(StepRandom.engineSeed(42, 20, 0));
        float[] first = forward(dropout, ones);
        float[] other = forward(dropout, ones); // the generator moved on
        engine.setRandomSeed(StepRandom.engineSeed(42, 20, 0));
        float[] again = forward(dropout, ones);
        assertArrayEquals(first, again, 0f);
        assertFalse(Arrays.equals(first, other), "two draws gave the same mask");
    }

    private static float[] forward(ai.djl.nn.norm.Dropout dropout, NDArray x) {
        return dropout.forward(new ParameterStore(manager, false), new NDList(x), true).head().toFloatArray();
    }
}

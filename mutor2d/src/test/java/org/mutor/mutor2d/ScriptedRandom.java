package org.mutor.mutor2d;

import java.util.random.RandomGenerator;

/** Generator whose {@code nextInt(bound)} returns preset values, so tests can derive draws by hand. */
final class ScriptedRandom implements RandomGenerator {

    private final int[] values;
    private int next;

    ScriptedRandom(int... values) {
        this.values = values;
    }

    @Override
    public int nextInt(int bound) {
        int value = values[next++];
        if (value < 0 || value >= bound) {
            throw new AssertionError("scripted value " + value + " is outside [0, " + bound + ")");
        }
        return value;
    }

    @Override
    public long nextLong() {
        throw new AssertionError("only nextInt(bound) is scripted");
    }
}

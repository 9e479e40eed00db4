package org.mutor.generator.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.gpt.TinyGptFixture;

import java.io.IOException;
import java.util.Arrays;

class SamplerTest {

    private static GptModel model;
    private static final SamplingOptions OPTIONS = new SamplingOptions(2.0, -1, 1.0, 0, 1.0);

    @BeforeAll
    static void load() throws IOException {
        model = TinyGptFixture.model();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void seededSamplingIsDeterministic() {
        Sampler sampler = new Sampler(model);
        long[][] a = sampler.sample(new int[] {1, 2}, new long[] {0, 1}, OPTIONS, 42);
        long[][] b = sampler.sample(new int[] {1, 2}, new long[] {0, 1}, OPTIONS, 42);
        long[][] c = sampler.sample(new int[] {1, 2}, new long[] {0, 1}, OPTIONS, 43);
        assertArrayEquals(a, b);
        assertFalse(Arrays.deepEquals(a, c), "another seed gives other samples");
    }

    @Test
    void sampleDoesNotDependOnBatch() {
        Sampler sampler = new Sampler(model);
        long[][] batch = sampler.sample(new int[] {4, 5, 6}, new long[] {10, 11, 12}, OPTIONS, 7);
        for (int i = 0; i < 3; i++) {
            long[][] alone = sampler.sample(new int[] {4 + i}, new long[] {10 + i}, OPTIONS, 7);
            assertArrayEquals(batch[i], alone[0], "sample " + i);
        }
        long[][] otherNeighbours = sampler.sample(new int[] {9, 5}, new long[] {99, 11}, OPTIONS, 7);
        assertArrayEquals(batch[1], otherNeighbours[1]);
    }

    @Test
    void classOutsideRangeIsRejected() {
        Sampler sampler = new Sampler(model);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sampler.sample(new int[] {10}, new long[] {0}, OPTIONS, 0));
        assertTrue(e.getMessage().contains("range 0-9"), e.getMessage());
    }
}

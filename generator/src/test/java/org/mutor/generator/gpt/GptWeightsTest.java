package org.mutor.generator.gpt;

import org.mutor.common.format.WeightMismatchException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;

import org.junit.jupiter.api.Test;
import org.mutor.common.tensor.HostTensor;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

class GptWeightsTest {

    private static final Device CPU = Device.cpu();

    @Test
    void presetParameterCounts() {
        assertEquals(110_888_448L, GptConfig.preset("gpt-b").parameterCount());
        assertEquals(342_910_976L, GptConfig.preset("gpt-l").parameterCount());
        assertEquals(774_699_520L, GptConfig.preset("gpt-xl").parameterCount());
        assertEquals(2048, GptConfig.preset("gpt-b").ffnHidden());
        assertEquals(2816, GptConfig.preset("gpt-l").ffnHidden());
        assertEquals(8704, GptConfig.preset("gpt-3b").ffnHidden());
        assertEquals(100, GptConfig.preset("gpt-3b").headDim());
    }

    @Test
    void missingKeyNamesKeyAndShape() throws IOException {
        Map<String, HostTensor> sd = new LinkedHashMap<>(TinyGptFixture.stateDict());
        sd.remove("layers.1.feed_forward.w2.weight");
        WeightMismatchException e = assertThrows(WeightMismatchException.class,
                () -> GptWeights.load(TinyGptFixture.config(), sd, CPU, GptWeights.RegisterPolicy.SKIP));
        assertTrue(e.getMessage().contains("missing key layers.1.feed_forward.w2.weight (expected shape [64, 192])"),
                e.getMessage());
    }

    @Test
    void wrongShapeNamesBothShapes() throws IOException {
        Map<String, HostTensor> sd = new LinkedHashMap<>(TinyGptFixture.stateDict());
        sd.put("norm.weight", HostTensor.ofFloats(new long[] {32}, new float[32]));
        WeightMismatchException e = assertThrows(WeightMismatchException.class,
                () -> GptWeights.load(TinyGptFixture.config(), sd, CPU, GptWeights.RegisterPolicy.SKIP));
        assertTrue(e.getMessage().contains("key norm.weight has shape [32], expected [64]"), e.getMessage());
    }

    @Test
    void unexpectedKeyRejectedButCacheBuffersIgnored() throws IOException {
        Map<String, HostTensor> sd = new LinkedHashMap<>(TinyGptFixture.stateDict());
        sd.put("layers.0.attention.kv_cache.k_cache", HostTensor.ofFloats(new long[] {1}, new float[1]));
        try (GptModel ok = GptWeights.load(TinyGptFixture.config(), sd, CPU, GptWeights.RegisterPolicy.SKIP)) {
            assertFalse(ok.hasRegisterEmbedding());
        }
        sd.put("extra.weight", HostTensor.ofFloats(new long[] {1}, new float[1]));
        WeightMismatchException e = assertThrows(WeightMismatchException.class,
                () -> GptWeights.load(TinyGptFixture.config(), sd, CPU, GptWeights.RegisterPolicy.SKIP));
        assertTrue(e.getMessage().contains("unexpected key(s) extra.weight"), e.getMessage());
    }

    @Test
    void registerEmbeddingLoadedOrSkipped() throws IOException {
        Map<String, HostTensor> sd = new LinkedHashMap<>(TinyGptFixture.stateDict());
        sd.put(GptModel.REGISTER_EMBEDDING, HostTensor.ofFloats(new long[] {64}, new float[64]));
        try (GptModel loaded = GptWeights.load(TinyGptFixture.config(), sd, CPU, GptWeights.RegisterPolicy.LOAD)) {
            assertTrue(loaded.hasRegisterEmbedding());
            assertTrue(GptWeights.stateDict(loaded, true).containsKey(GptModel.REGISTER_EMBEDDING));
            assertFalse(GptWeights.stateDict(loaded, false).containsKey(GptModel.REGISTER_EMBEDDING));
        }
        try (GptModel skipped = GptWeights.load(TinyGptFixture.config(), sd, CPU, GptWeights.RegisterPolicy.SKIP)) {
            assertFalse(skipped.hasRegisterEmbedding());
        }
    }
}

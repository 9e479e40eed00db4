package org.mutor.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mutor.common.config.ConfigException;
import org.mutor.common.config.YamlConfig;

import java.util.List;
import java.util.Map;

class VqConfigTest {

    @Test
    void emptyYamlGivesVq16() {
        VqConfig c = VqConfig.fromYaml(YamlConfig.empty("test"));
        assertEquals(VqConfig.vq16(), c);
        assertEquals(VqConfig.preset("vq-16"), c);
        assertEquals(16, c.downsampleFactor());
        assertEquals(512, c.decoderChannels(0));
        assertEquals(128, c.decoderChannels(4));
    }

    @Test
    void presetsGiveTheirGrids() {
        assertEquals(8, VqConfig.preset("vq-8").downsampleFactor());
        assertEquals(2, VqConfig.preset("vq-tiny").downsampleFactor());
        VqConfig fmnist = VqConfig.preset("vq-fmnist");
        assertEquals(4, fmnist.downsampleFactor(), "32x32 input gives an 8x8 grid");
        assertEquals(256, fmnist.codebookSize());
        for (String name : VqConfig.PRESETS) {
            assertTrue(VqConfig.preset(name).parameterCount() > 0, name);
        }
    }

    @Test
    void channelsMustSuitGroupNorm() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> VqConfig.fromYaml(YamlConfig.of("test", Map.of("ch", 48))));
        assertTrue(e.getMessage().contains("ch = 48 channels must be a positive multiple of 32"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> VqConfig.fromYaml(YamlConfig.of("test",
                        Map.of("ch", 16, "encoder_ch_mult", List.of(2, 4), "decoder_ch_mult", List.of(2, 4)))));
        assertTrue(e.getMessage().contains("ch = 16 channels"), e.getMessage());
    }

    @Test
    void rejectsUnknownKeysAndMismatchedLevels() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> VqConfig.fromYaml(YamlConfig.of("test", Map.of("codebook_sise", 10))));
        assertTrue(e.getMessage().contains("unknown key(s) [codebook_sise]"), e.getMessage());
        e = assertThrows(ConfigException.class,
                () -> VqConfig.fromYaml(YamlConfig.of("test", Map.of("decoder_ch_mult", List.of(1, 2)))));
        assertTrue(e.getMessage().contains("must be non-empty and of equal length"), e.getMessage());
    }

    @Test
    void unknownPresetListsTheKnownOnes() {
        ConfigException e = assertThrows(ConfigException.class, () -> VqConfig.preset("vq-32"));
        assertTrue(e.getMessage().contains("vq-16, vq-8, vq-tiny, vq-fmnist"), e.getMessage());
    }
}

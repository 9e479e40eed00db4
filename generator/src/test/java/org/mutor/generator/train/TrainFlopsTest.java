package org.mutor.generator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.mutor.common.config.YamlConfig;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

class TrainFlopsTest {

    private static TrainConfig preset(String name, Map<String, ?> overrides) {
        return TrainConfig.fromYaml(YamlConfig.load(Path.of("../configs", name + ".yaml")), overrides);
    }

    @Test
    void fashionMnistPresetsCountedByHand() {
        TrainConfig ntp = preset("fmnist-ntp", Map.of());
        TrainConfig mutor = preset("fmnist-mutor2d", Map.of());
        assertEquals(64, TrainFlops.positions(ntp));
        assertEquals(84, TrainFlops.positions(mutor), "64 real positions and 20 sparse registers");
        // dim 192, 4 layers, FFN hidden 512, vocab 256: per position 4 * (4 * 192^2 + 3 * 192 * 512)
        // + 192 * 256 = 1,818,624 weights; forward 2 * weights * S + 4 * 4 * 192 * S^2; batch 32.
        double forward64 = 2.0 * 1_818_624 * 64 + 16.0 * 192 * 64 * 64;
        double forward84 = 2.0 * 1_818_624 * 84 + 16.0 * 192 * 84 * 84;
        assertEquals(3 * 32 * forward64, TrainFlops.perStep(ntp), 1e-6 * forward64);
        assertEquals(3 * 32 * forward84, TrainFlops.perStep(mutor), 1e-6 * forward84);
        assertEquals(Math.round(3000 * forward84 / forward64), TrainFlops.equalComputeSteps(ntp, mutor, 3000));
        assertEquals(4001, TrainFlops.equalComputeSteps(ntp, mutor, 3000));
    }

    @Test
    void fullRegistersDoubleTheSequence() {
        TrainConfig full = preset("fmnist-mutor2d", Map.of("registers", "full"));
        assertEquals(128, TrainFlops.positions(full));
        TrainConfig ntp = preset("fmnist-ntp", Map.of());
        assertEquals(1000, TrainFlops.equalComputeSteps(ntp, ntp, 1000), "same config, same steps");
    }
}

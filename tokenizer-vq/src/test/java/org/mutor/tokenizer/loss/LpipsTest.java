package org.mutor.tokenizer.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.FormatException;
import org.mutor.common.format.torch.TorchFile;
import org.mutor.common.tensor.HostTensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** LPIPS-VGG against PyTorch values from tools/reference/make_lpips_fixtures.py (narrow VGG, random weights). */
class LpipsTest {

    private static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        EngineSetup.offline();
        dir = Path.of(LpipsTest.class.getResource("/lpips/pairs.pth").toURI()).getParent();
    }

    private static Lpips load(NDManager m) throws Exception {
        return Lpips.load(dir.resolve("vgg16-narrow.pth"), dir.resolve("lin-narrow.pth"), m);
    }

    @Test
    void matchesPyTorchAndIsZeroOnIdenticalImages() throws Exception {
        Map<String, HostTensor> pairs = TorchFile.flatten(TorchFile.loadDict(dir.resolve("pairs.pth"), null));
        try (NDManager m = NDManager.newBaseManager(); Lpips lpips = load(m)) {
            NDArray x = pairs.get("x").toNDArray(m);
            NDArray y = pairs.get("y").toNDArray(m);
            float[] got = lpips.distance(x, y).toFloatArray();
            double[] want = pairs.get("lpips").toDoubleArray();
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-4 * want[i], "pair " + i);
                assertTrue(want[i] > 0.05);
            }
            for (float same : lpips.distance(x, x).toFloatArray()) {
                assertEquals(0, same, 0);
            }
        }
    }

    @Test
    void gradientReachesTheInputAndIsFinite() throws Exception {
        Map<String, HostTensor> pairs = TorchFile.flatten(TorchFile.loadDict(dir.resolve("pairs.pth"), null));
        try (NDManager m = NDManager.newBaseManager(); Lpips lpips = load(m)) {
            NDArray x = pairs.get("x").toNDArray(m);
            NDArray y = pairs.get("y").toNDArray(m);
            x.setRequiresGradient(true);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                c.backward(lpips.distance(x, y).mean());
            }
            float[] g = x.getGradient().toFloatArray();
            double sum = 0;
            for (float v : g) {
                assertTrue(Float.isFinite(v));
                sum += Math.abs(v);
            }
            assertTrue(sum > 0, "zero gradient");
            // At x == y every squared difference is 0: gradient 0, finite (no sqrt(0) blow-up).
            x.getGradient().subi(x.getGradient());
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                c.backward(lpips.distance(x, x.duplicate()).mean());
            }
            for (float v : x.getGradient().toFloatArray()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    @Test
    void wrongFilesAreRefusedByKeyAndShape(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            FormatException swapped = assertThrows(FormatException.class,
                    () -> Lpips.load(dir.resolve("lin-narrow.pth"), dir.resolve("lin-narrow.pth"), m));
            assertTrue(swapped.getMessage().contains("missing keys [features.0.bias"), swapped.getMessage());
            FormatException pairs = assertThrows(FormatException.class,
                    () -> Lpips.load(dir.resolve("vgg16-narrow.pth"), dir.resolve("pairs.pth"), m));
            assertTrue(pairs.getMessage().contains("unexpected keys [lpips, x, y]"), pairs.getMessage());
        }
        assertTrue(Files.size(dir.resolve("vgg16-narrow.pth")) < 1_000_000);
    }
}
